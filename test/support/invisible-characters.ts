/**
 * Code points that render as nothing (or as a blank) and so let two different names, or a name and
 * an empty one, look the same. Each must be refused in names and passwords.
 */
export const INVISIBLE_IN_NAMES: { label: string; char: string }[] = [
  { label: 'a Hangul filler (U+3164)', char: '\u3164' },
  { label: 'a Hangul choseong filler (U+115F)', char: '\u115f' },
  { label: 'a Hangul jungseong filler (U+1160)', char: '\u1160' },
  { label: 'a halfwidth Hangul filler (U+FFA0)', char: '\uffa0' },
  { label: 'a braille blank (U+2800)', char: '\u2800' },
  { label: 'a combining grapheme joiner (U+034F)', char: '\u034f' },
  { label: 'a variation selector (U+FE0F)', char: '\ufe0f' },
  { label: 'a variation selector (U+FE00)', char: '\ufe00' },
  { label: 'a variation selector supplement (U+E0100)', char: '\u{e0100}' },
  { label: 'a variation selector supplement (U+E01EF)', char: '\u{e01ef}' },
  { label: 'a Mongolian vowel separator (U+180E)', char: '\u180e' },
  { label: 'a word joiner (U+2060)', char: '\u2060' },
  { label: 'an invisible plus (U+2064)', char: '\u2064' },
  { label: 'a zero-width no-break space (U+FEFF)', char: '\ufeff' },
  { label: 'a zero-width joiner (U+200D)', char: '\u200d' },
  { label: 'a lone high surrogate (U+D800)', char: '\ud800' },
  { label: 'a lone low surrogate (U+DFFF)', char: '\udfff' },
];
