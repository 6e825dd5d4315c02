package office

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"hash"
	"unicode/utf16"
)

// DefaultExcelPassword is the password Excel uses when a workbook is
// "encrypted" without one (MS-OFFCRYPTO 2.4.2.3 / 2.3.6.2 note): files that
// open with it are not protected, only hidden from scanners.
const DefaultExcelPassword = "VelvetSweatshop"

func utf16Bytes(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// filepass reads a BIFF8 FILEPASS record and checks the default password.
// When the workbook opens with it, filepass returns the RC4 key of each
// 1024-byte block of the stream (nil otherwise).
func (r *Report) filepass(d []byte) func(block uint32) []byte {
	if len(d) < 2 {
		return nil
	}
	switch binary.LittleEndian.Uint16(d) {
	case 0:
		// XOR obfuscation (MS-OFFCRYPTO 2.3.7): not decrypted.
		r.EncryptionType = "xor"
		return nil
	case 1:
	default:
		return nil
	}
	if len(d) < 6 {
		return nil
	}
	major := binary.LittleEndian.Uint16(d[2:])
	minor := binary.LittleEndian.Uint16(d[4:])
	if major == 1 && minor == 1 && len(d) >= 6+48 {
		r.EncryptionType = "rc4"
		salt, ev, evh := d[6:22], d[22:38], d[38:54]
		r.DefaultPassword = RC4Verify(DefaultExcelPassword, salt, ev, evh)
		if r.DefaultPassword {
			salt = bytes.Clone(salt)
			return func(block uint32) []byte { return RC4Key(DefaultExcelPassword, salt, block) }
		}
		return nil
	}
	if (major == 2 || major == 3 || major == 4) && minor == 2 && len(d) >= 14 {
		r.EncryptionType = "rc4-cryptoapi"
		r.DefaultPassword = cryptoAPIVerify(DefaultExcelPassword, d[6:])
		if salt, keyBits, ok := cryptoAPIParams(d[6:]); ok && r.DefaultPassword {
			salt = bytes.Clone(salt)
			return func(block uint32) []byte { return CryptoAPIKey(DefaultExcelPassword, salt, block, keyBits) }
		}
	}
	return nil
}

// biffClear lists the records whose data BIFF8 encryption leaves in the
// clear ([MS-XLS] 2.2.10): BOF, FILEPASS, UsrExcl, FileLock,
// InterfaceHdr, RRDInfo, RRDHead. BoundSheet8 keeps its first 4 bytes
// (lbPlyPos) clear.
var biffClear = map[uint16]bool{0x0809: true, 0x002f: true, 0x0194: true, 0x0195: true, 0x00e1: true, 0x0196: true, 0x0138: true}

// DecryptBIFF decrypts a BIFF8 Workbook stream encrypted with RC4 or RC4
// CryptoAPI from offset start (the record after FILEPASS) on. The key
// stream runs over the whole stream, a new key every 1024 bytes (block =
// offset / 1024); record headers and the records above stay as they are.
func DecryptBIFF(b []byte, start int, key func(block uint32) []byte) []byte {
	out := bytes.Clone(b)
	if start < 0 || start >= len(b) {
		return out
	}
	ks := make([]byte, 1024)
	for blk := start / 1024; blk*1024 < len(b); blk++ {
		c, err := rc4.NewCipher(key(uint32(blk)))
		if err != nil {
			return out
		}
		clear(ks)
		c.XORKeyStream(ks, ks)
		lo, hi := max(start, blk*1024), min(len(b), (blk+1)*1024)
		for i := lo; i < hi; i++ {
			out[i] ^= ks[i-blk*1024]
		}
	}
	// Put back what was never encrypted.
	for p := start; p+4 <= len(b); {
		typ := binary.LittleEndian.Uint16(b[p:])
		sz := int(binary.LittleEndian.Uint16(b[p+2:]))
		copy(out[p:p+4], b[p:p+4])
		p += 4
		end := min(p+sz, len(b))
		switch {
		case biffClear[typ]:
			copy(out[p:end], b[p:end])
		case typ == 0x0085:
			copy(out[p:min(p+4, end)], b[p:min(p+4, end)])
		}
		p = end
	}
	return out
}

// RC4Verify checks a password against Office binary RC4 encryption
// (MS-OFFCRYPTO 2.3.6): MD5 key derivation, block 0 key.
func RC4Verify(pw string, salt, encVerifier, encVerifierHash []byte) bool {
	key := RC4Key(pw, salt, 0)
	c, err := rc4.NewCipher(key)
	if err != nil {
		return false
	}
	v := make([]byte, 16)
	h := make([]byte, 16)
	c.XORKeyStream(v, encVerifier)
	c.XORKeyStream(h, encVerifierHash)
	sum := md5.Sum(v)
	return bytes.Equal(sum[:], h)
}

// RC4Key derives the block key of Office binary RC4 encryption.
func RC4Key(pw string, salt []byte, block uint32) []byte {
	h0 := md5.Sum(utf16Bytes(pw))
	var buf []byte
	for i := 0; i < 16; i++ {
		buf = append(buf, h0[:5]...)
		buf = append(buf, salt...)
	}
	h1 := md5.Sum(buf)
	var bb [4]byte
	binary.LittleEndian.PutUint32(bb[:], block)
	hf := md5.Sum(append(append([]byte{}, h1[:5]...), bb[:]...))
	return hf[:]
}

// cryptoAPIParams reads the salt and key size of RC4 CryptoAPI
// encryption (MS-OFFCRYPTO 2.3.5): flags, header size, EncryptionHeader,
// EncryptionVerifier.
func cryptoAPIParams(d []byte) (salt []byte, keyBits int, ok bool) {
	if len(d) < 8 {
		return nil, 0, false
	}
	hs := int(binary.LittleEndian.Uint32(d[4:]))
	if hs < 32 || hs > len(d)-8 {
		return nil, 0, false
	}
	hdr := d[8 : 8+hs]
	keyBits = int(binary.LittleEndian.Uint32(hdr[16:]))
	if keyBits == 0 {
		keyBits = 40
	}
	v := d[8+hs:]
	if len(v) < 4+16+16+4+20 {
		return nil, 0, false
	}
	return v[4:20], keyBits, true
}

// cryptoAPIVerify checks a password against RC4 CryptoAPI encryption.
func cryptoAPIVerify(pw string, d []byte) bool {
	salt, keyBits, ok := cryptoAPIParams(d)
	if !ok {
		return false
	}
	v := d[8+int(binary.LittleEndian.Uint32(d[4:])):]
	ev, evh := v[20:36], v[40:60]
	key := CryptoAPIKey(pw, salt, 0, keyBits)
	c, err := rc4.NewCipher(key)
	if err != nil {
		return false
	}
	pv := make([]byte, 16)
	ph := make([]byte, 20)
	c.XORKeyStream(pv, ev)
	c.XORKeyStream(ph, evh)
	sum := sha1.Sum(pv)
	return bytes.Equal(sum[:], ph)
}

// CryptoAPIKey derives an RC4 CryptoAPI block key (SHA-1; 40-bit keys are
// zero-padded to 128 bits).
func CryptoAPIKey(pw string, salt []byte, block uint32, keyBits int) []byte {
	h0 := sha1.Sum(append(append([]byte{}, salt...), utf16Bytes(pw)...))
	var bb [4]byte
	binary.LittleEndian.PutUint32(bb[:], block)
	hf := sha1.Sum(append(h0[:], bb[:]...))
	n := keyBits / 8
	if n <= 0 || n > 20 {
		n = 5
	}
	key := append([]byte{}, hf[:n]...)
	if keyBits == 40 {
		key = append(key, make([]byte, 11)...)
	}
	return key
}

// ooxmlEncryption reads the EncryptionInfo stream of an encrypted OOXML
// package (MS-OFFCRYPTO 2.3.4.5 standard, 2.3.4.10 agile).
func (r *Report) ooxmlEncryption(d []byte) {
	if len(d) < 8 {
		return
	}
	major := binary.LittleEndian.Uint16(d)
	minor := binary.LittleEndian.Uint16(d[2:])
	switch {
	case major == 4 && minor == 4:
		r.EncryptionType = "agile"
		r.DefaultPassword = AgileVerify(DefaultExcelPassword, d[8:])
	case (major == 3 || major == 4) && minor == 2:
		r.EncryptionType = "standard"
		r.DefaultPassword = StandardVerify(DefaultExcelPassword, d[8:])
	default:
		r.EncryptionType = "unknown"
	}
}

// StandardVerify checks a password against ECMA-376 standard encryption
// (header size, EncryptionHeader, EncryptionVerifier; AES-ECB).
func StandardVerify(pw string, d []byte) bool {
	if len(d) < 4 {
		return false
	}
	hs := int(binary.LittleEndian.Uint32(d))
	if hs < 32 || 4+hs > len(d) {
		return false
	}
	hdr := d[4 : 4+hs]
	keyBits := int(binary.LittleEndian.Uint32(hdr[16:]))
	v := d[4+hs:]
	if len(v) < 4+16+16+4+32 {
		return false
	}
	salt, ev, evh := v[4:20], v[20:36], v[40:72]
	key := StandardKey(pw, salt, keyBits)
	blk, err := aes.NewCipher(key)
	if err != nil {
		return false
	}
	pv := make([]byte, 16)
	blk.Decrypt(pv, ev)
	ph := make([]byte, 32)
	blk.Decrypt(ph[:16], evh[:16])
	blk.Decrypt(ph[16:], evh[16:])
	sum := sha1.Sum(pv)
	return bytes.Equal(sum[:], ph[:20])
}

// StandardKey derives the AES key of ECMA-376 standard encryption.
func StandardKey(pw string, salt []byte, keyBits int) []byte {
	h := sha1.Sum(append(append([]byte{}, salt...), utf16Bytes(pw)...))
	var it [4]byte
	for i := uint32(0); i < 50000; i++ {
		binary.LittleEndian.PutUint32(it[:], i)
		h = sha1.Sum(append(it[:], h[:]...))
	}
	hf := sha1.Sum(append(h[:], 0, 0, 0, 0))
	x := func(c byte) [20]byte {
		buf := bytes.Repeat([]byte{c}, 64)
		for i := range hf {
			buf[i] ^= hf[i]
		}
		return sha1.Sum(buf)
	}
	x1, x2 := x(0x36), x(0x5c)
	x3 := append(x1[:], x2[:]...)
	n := keyBits / 8
	if n != 16 && n != 24 && n != 32 {
		n = 16
	}
	return x3[:n]
}

type agileInfo struct {
	KeyEncryptors struct {
		KeyEncryptor []struct {
			EncryptedKey struct {
				SpinCount                  int    `xml:"spinCount,attr"`
				SaltSize                   int    `xml:"saltSize,attr"`
				KeyBits                    int    `xml:"keyBits,attr"`
				HashSize                   int    `xml:"hashSize,attr"`
				HashAlgorithm              string `xml:"hashAlgorithm,attr"`
				SaltValue                  string `xml:"saltValue,attr"`
				EncryptedVerifierHashInput string `xml:"encryptedVerifierHashInput,attr"`
				EncryptedVerifierHashValue string `xml:"encryptedVerifierHashValue,attr"`
			} `xml:"encryptedKey"`
		} `xml:"keyEncryptor"`
	} `xml:"keyEncryptors"`
}

// Agile block keys (MS-OFFCRYPTO 2.3.4.13).
var (
	agileBlockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	agileBlockVerifierValue = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
)

func agileHash(name string) func() hash.Hash {
	switch name {
	case "SHA1":
		return sha1.New
	case "SHA256":
		return sha256.New
	case "SHA384":
		return sha512.New384
	case "SHA512":
		return sha512.New
	}
	return nil
}

// AgileVerify checks a password against agile encryption (the XML
// descriptor after the version and reserved fields).
func AgileVerify(pw string, x []byte) bool {
	var ai agileInfo
	if err := xml.Unmarshal(x, &ai); err != nil {
		return false
	}
	for _, ke := range ai.KeyEncryptors.KeyEncryptor {
		k := ke.EncryptedKey
		hf := agileHash(k.HashAlgorithm)
		if hf == nil || k.SpinCount <= 0 || k.SpinCount > 200_000 || k.KeyBits == 0 {
			continue
		}
		salt, e1 := base64.StdEncoding.DecodeString(k.SaltValue)
		vin, e2 := base64.StdEncoding.DecodeString(k.EncryptedVerifierHashInput)
		vval, e3 := base64.StdEncoding.DecodeString(k.EncryptedVerifierHashValue)
		if e1 != nil || e2 != nil || e3 != nil || len(salt) == 0 {
			continue
		}
		hn := AgileHashPassword(hf, pw, salt, k.SpinCount)
		in := agileDecrypt(hf, hn, agileBlockVerifierInput, k.KeyBits, salt, vin)
		val := agileDecrypt(hf, hn, agileBlockVerifierValue, k.KeyBits, salt, vval)
		if in == nil || val == nil {
			continue
		}
		if k.SaltSize > 0 && k.SaltSize <= len(in) {
			in = in[:k.SaltSize]
		}
		h := hf()
		h.Write(in)
		sum := h.Sum(nil)
		if len(val) >= len(sum) && bytes.Equal(sum, val[:len(sum)]) {
			return true
		}
	}
	return false
}

// AgileHashPassword iterates the agile password hash.
func AgileHashPassword(hf func() hash.Hash, pw string, salt []byte, spin int) []byte {
	h := hf()
	h.Write(salt)
	h.Write(utf16Bytes(pw))
	cur := h.Sum(nil)
	var it [4]byte
	for i := 0; i < spin; i++ {
		binary.LittleEndian.PutUint32(it[:], uint32(i))
		h.Reset()
		h.Write(it[:])
		h.Write(cur)
		cur = h.Sum(cur[:0])
	}
	return cur
}

// AgileKey derives an agile key for a block key.
func AgileKey(hf func() hash.Hash, hn, blockKey []byte, keyBits int) []byte {
	h := hf()
	h.Write(hn)
	h.Write(blockKey)
	k := h.Sum(nil)
	n := keyBits / 8
	for len(k) < n {
		k = append(k, 0x36)
	}
	return k[:n]
}

func agileDecrypt(hf func() hash.Hash, hn, blockKey []byte, keyBits int, iv, data []byte) []byte {
	key := AgileKey(hf, hn, blockKey, keyBits)
	blk, err := aes.NewCipher(key)
	if err != nil || len(data) == 0 || len(data)%16 != 0 || len(iv) < 16 {
		return nil
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(blk, iv[:16]).CryptBlocks(out, data)
	return out
}
