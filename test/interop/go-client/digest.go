package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
)

// requestDigest is the memo value `requestDigest`: SHA-256 (hex) of the canonical JSON of the input,
// as docs/payload-encryption.md defines it. A client attaches to a running provisioning only when its
// digest matches, so a Go client that writes it can be attached to by the TypeScript client and back.
func requestDigest(input TenantCreationInput) string {
	sum := sha256.Sum256([]byte(canonicalJSON(input.fields())))
	return hex.EncodeToString(sum[:])
}

// canonicalJSON: object keys sorted (by UTF-16 code units), absent fields left out, no white space,
// strings escaped as JavaScript's JSON.stringify escapes them.
func canonicalJSON(value any) string {
	switch v := value.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		parts := make([]string, len(keys))
		for i, key := range keys {
			parts[i] = jsonString(key) + ":" + canonicalJSON(v[key])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case string:
		return jsonString(v)
	default:
		panic(fmt.Sprintf("canonicalJSON: unexpected %T", value))
	}
}

func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// jsonString escapes like JSON.stringify: " and \, the short escapes \b \f \n \r \t, other code points
// below U+0020 as \u00xx; everything else (including U+2028/U+2029 and non-ASCII) as it is.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
