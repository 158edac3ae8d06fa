package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/proto"
)

// The payload format of docs/payload-encryption.md.
const (
	encodingMetadata  = "encoding"
	encryptedEncoding = "binary/encrypted"
	keyIDMetadata     = "encryption-key-id"
	nonceBytes        = 12
	keyBytes          = 32
)

// aesGcmCodec encrypts each payload with the first key and decrypts with the key its metadata names.
type aesGcmCodec struct {
	encryptWith string
	keys        map[string]cipher.AEAD
}

// parseKeys reads PAYLOAD_ENCRYPTION_KEYS: "id:base64key[,id:base64key]", each key 32 bytes.
func parseKeys(value string) (*aesGcmCodec, error) {
	codec := &aesGcmCodec{keys: map[string]cipher.AEAD{}}
	for _, entry := range strings.Split(value, ",") {
		id, encoded, found := strings.Cut(strings.TrimSpace(entry), ":")
		if !found || id == "" {
			return nil, fmt.Errorf("PAYLOAD_ENCRYPTION_KEYS: expected id:base64key, got an entry without an id")
		}
		key, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil || len(key) != keyBytes {
			return nil, fmt.Errorf("PAYLOAD_ENCRYPTION_KEYS: key %q is not 32 base64-encoded bytes", id)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if codec.encryptWith == "" {
			codec.encryptWith = id
		}
		codec.keys[id] = aead
	}
	return codec, nil
}

func (c *aesGcmCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	encoded := make([]*commonpb.Payload, len(payloads))
	for i, payload := range payloads {
		inner, err := proto.Marshal(payload)
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, nonceBytes)
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		// Seal appends ciphertext ‖ tag to the nonce: nonce ‖ ciphertext ‖ 16-byte tag.
		encoded[i] = &commonpb.Payload{
			Metadata: map[string][]byte{encodingMetadata: []byte(encryptedEncoding), keyIDMetadata: []byte(c.encryptWith)},
			Data:     c.keys[c.encryptWith].Seal(nonce, nonce, inner, nil),
		}
	}
	return encoded, nil
}

func (c *aesGcmCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	decoded := make([]*commonpb.Payload, len(payloads))
	for i, payload := range payloads {
		if string(payload.GetMetadata()[encodingMetadata]) != encryptedEncoding {
			decoded[i] = payload
			continue
		}
		keyID := string(payload.GetMetadata()[keyIDMetadata])
		aead, known := c.keys[keyID]
		if !known {
			return nil, fmt.Errorf("payload encrypted with key %q, which is not in PAYLOAD_ENCRYPTION_KEYS", keyID)
		}
		data := payload.GetData()
		if len(data) < nonceBytes+aead.Overhead() {
			return nil, fmt.Errorf("encrypted payload too short")
		}
		inner, err := aead.Open(nil, data[:nonceBytes], data[nonceBytes:], nil)
		if err != nil {
			return nil, err
		}
		decoded[i] = &commonpb.Payload{}
		if err := proto.Unmarshal(inner, decoded[i]); err != nil {
			return nil, err
		}
	}
	return decoded, nil
}
