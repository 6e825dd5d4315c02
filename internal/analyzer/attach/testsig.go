package attach

import (
	"bytes"
	"encoding/binary"
)

// Built-in test signatures, so an administrator can try the whole path
// without clamd. Both are public test files, not malware:
//
//   - EICAR: the 68-byte standard anti-virus test string. Following the
//     EICAR convention it is matched at the start of a file, optionally
//     followed by whitespace only up to 128 bytes; sekisho is more
//     lenient and matches it anywhere in the first 64 KiB of any file or
//     inner file (a .txt, a zip entry, a decoded HTML payload), since the
//     point is to test the path, and the string cannot occur by chance.
//   - clam.exe, ClamAV's 544-byte test program (Debian clamav-testfiles):
//     its SHA-256, or structurally a PE image with one section named
//     "[CLAMAV]" whose import table names USER32.DLL!CLAMessageBoxA (the
//     ClamAV test file's own made-up import). Packed variants (UPX, ASPack,
//     ...) are not unpacked; they are still programs (ATT_EXECUTABLE).
const eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

var clamExeSHA256 = [32]byte{0x71, 0xe7, 0xb6, 0x04, 0xd1, 0x8a, 0xef, 0xd8, 0x39, 0xe7, 0x18, 0xa3, 0x9c, 0x88, 0xdf, 0x83,
	0x83, 0xbb, 0x4c, 0x07, 0x1d, 0xc3, 0x1f, 0x87, 0xf0, 0x0d, 0x4a, 0x5d, 0xf5, 0x80, 0xd4, 0x95}

// testSignature names the test file b is, or "".
func testSignature(b []byte, sum [32]byte) string {
	if bytes.Contains(b[:min(len(b), 64<<10)], []byte(eicar)) {
		return "EICAR test string"
	}
	if sum == clamExeSHA256 || isClamExe(b) {
		return "ClamAV test program clam.exe"
	}
	return ""
}

func isClamExe(b []byte) bool {
	if len(b) < 0x40 || b[0] != 'M' || b[1] != 'Z' {
		return false
	}
	pe := int(binary.LittleEndian.Uint32(b[0x3c:]))
	if pe <= 0 || pe+24 > len(b) || string(b[pe:pe+4]) != "PE\x00\x00" {
		return false
	}
	nsec := int(binary.LittleEndian.Uint16(b[pe+6:]))
	optSize := int(binary.LittleEndian.Uint16(b[pe+20:]))
	sec := pe + 24 + optSize
	if nsec != 1 || sec+40 > len(b) || string(b[sec:sec+8]) != "[CLAMAV]" {
		return false
	}
	return bytes.Contains(b[:min(len(b), 4096)], []byte("CLAMessageBoxA"))
}
