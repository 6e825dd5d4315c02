package testdoc

import (
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"encoding/binary"
	"unicode/utf16"
)

// EncryptedXLS builds a BIFF8 workbook encrypted the way Excel does
// ([MS-XLS] 2.2.10, [MS-OFFCRYPTO] 2.3.6 RC4 and 2.3.5 RC4 CryptoAPI):
// a FILEPASS record after the globals' BOF, then every record's data
// encrypted with an RC4 key stream that runs over the whole stream, a new
// key every 1024 bytes, except record headers, BOF, FILEPASS, InterfaceHdr
// and the first 4 bytes of BoundSheet8. With password "VelvetSweatshop"
// Excel opens it without asking.
func EncryptedXLS(sheets []Sheet, autoOpen bool, password string, cryptoAPI bool) []byte {
	salt := []byte("sekisho-salt-16b")
	verifier := []byte("verifier-16bytes")
	var fp []byte
	var key func(block uint32) []byte
	pw := utf16LE(password)
	if cryptoAPI {
		h0 := sha1.Sum(append(append([]byte{}, salt...), pw...))
		key = func(block uint32) []byte {
			h := sha1.Sum(binary.LittleEndian.AppendUint32(append([]byte{}, h0[:]...), block))
			return h[:16] // 128-bit key
		}
		vh := sha1.Sum(verifier)
		c, _ := rc4.NewCipher(key(0))
		ev, evh := make([]byte, 16), make([]byte, 20)
		c.XORKeyStream(ev, verifier)
		c.XORKeyStream(evh, vh[:])
		hdr := make([]byte, 32)
		binary.LittleEndian.PutUint32(hdr[8:], 0x6801)  // AlgID RC4
		binary.LittleEndian.PutUint32(hdr[12:], 0x8004) // AlgIDHash SHA-1
		binary.LittleEndian.PutUint32(hdr[16:], 128)
		fp = []byte{1, 0, 4, 0, 2, 0}
		fp = binary.LittleEndian.AppendUint32(fp, 0x04) // flags: fCryptoAPI
		fp = binary.LittleEndian.AppendUint32(fp, uint32(len(hdr)))
		fp = append(fp, hdr...)
		fp = binary.LittleEndian.AppendUint32(fp, 16)
		fp = append(append(fp, salt...), ev...)
		fp = binary.LittleEndian.AppendUint32(fp, 20)
		fp = append(fp, evh...)
	} else {
		h0 := md5.Sum(pw)
		var buf []byte
		for i := 0; i < 16; i++ {
			buf = append(append(buf, h0[:5]...), salt...)
		}
		h1 := md5.Sum(buf)
		key = func(block uint32) []byte {
			h := md5.Sum(binary.LittleEndian.AppendUint32(append([]byte{}, h1[:5]...), block))
			return h[:]
		}
		vh := md5.Sum(verifier)
		c, _ := rc4.NewCipher(key(0))
		ev, evh := make([]byte, 16), make([]byte, 16)
		c.XORKeyStream(ev, verifier)
		c.XORKeyStream(evh, vh[:])
		fp = append(append(append([]byte{1, 0, 1, 0, 1, 0}, salt...), ev...), evh...)
	}
	wb := xlsStream(8, sheets, autoOpen, BIFFRecord(0x002f, fp))
	// key stream over the whole stream
	ks := make([]byte, 0, len(wb)+1024)
	for blk := uint32(0); len(ks) < len(wb); blk++ {
		c, _ := rc4.NewCipher(key(blk))
		k := make([]byte, 1024)
		c.XORKeyStream(k, k)
		ks = append(ks, k...)
	}
	seenFilepass := false
	for p := 0; p+4 <= len(wb); {
		typ := binary.LittleEndian.Uint16(wb[p:])
		sz := int(binary.LittleEndian.Uint16(wb[p+2:]))
		d := p + 4
		if seenFilepass {
			from := d
			switch typ {
			case 0x0809, 0x002f, 0x00e1:
				from = d + sz
			case 0x0085:
				from = d + 4
			}
			for i := from; i < d+sz; i++ {
				wb[i] ^= ks[i]
			}
		}
		if typ == 0x002f {
			seenFilepass = true
		}
		p = d + sz
	}
	return CFB(map[string][]byte{"Workbook": wb})
}

func utf16LE(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}
