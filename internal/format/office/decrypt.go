package office

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
)

// ErrDecrypt is returned when an encrypted package cannot be decrypted
// with the password.
var ErrDecrypt = errors.New("office: cannot decrypt")

var agileBlockKeyValue = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}

type agileFull struct {
	KeyData struct {
		SaltValue     string `xml:"saltValue,attr"`
		BlockSize     int    `xml:"blockSize,attr"`
		KeyBits       int    `xml:"keyBits,attr"`
		HashAlgorithm string `xml:"hashAlgorithm,attr"`
	} `xml:"keyData"`
	KeyEncryptors struct {
		KeyEncryptor []struct {
			EncryptedKey struct {
				SpinCount         int    `xml:"spinCount,attr"`
				KeyBits           int    `xml:"keyBits,attr"`
				HashAlgorithm     string `xml:"hashAlgorithm,attr"`
				SaltValue         string `xml:"saltValue,attr"`
				EncryptedKeyValue string `xml:"encryptedKeyValue,attr"`
			} `xml:"encryptedKey"`
		} `xml:"keyEncryptor"`
	} `xml:"keyEncryptors"`
}

// DecryptPackage decrypts an EncryptedPackage stream (8-byte size, then
// data) with a password, for agile (MS-OFFCRYPTO 2.3.4.15) or standard
// (2.3.4.9) encryption; info is the whole EncryptionInfo stream. max
// bounds the output.
func DecryptPackage(info, pkg []byte, pw string, max int) ([]byte, error) {
	if len(info) < 8 || len(pkg) < 8 {
		return nil, ErrDecrypt
	}
	size := binary.LittleEndian.Uint64(pkg)
	body := pkg[8:]
	if size > uint64(max) {
		size = uint64(max)
	}
	major, minor := binary.LittleEndian.Uint16(info), binary.LittleEndian.Uint16(info[2:])
	var out []byte
	switch {
	case major == 4 && minor == 4:
		var a agileFull
		if err := xml.Unmarshal(info[8:], &a); err != nil || len(a.KeyEncryptors.KeyEncryptor) == 0 {
			return nil, ErrDecrypt
		}
		k := a.KeyEncryptors.KeyEncryptor[0].EncryptedKey
		hf := agileHash(k.HashAlgorithm)
		dhf := agileHash(a.KeyData.HashAlgorithm)
		salt, e1 := base64.StdEncoding.DecodeString(k.SaltValue)
		ekv, e2 := base64.StdEncoding.DecodeString(k.EncryptedKeyValue)
		kdSalt, e3 := base64.StdEncoding.DecodeString(a.KeyData.SaltValue)
		if hf == nil || dhf == nil || e1 != nil || e2 != nil || e3 != nil || k.SpinCount <= 0 || k.SpinCount > 200_000 {
			return nil, ErrDecrypt
		}
		hn := AgileHashPassword(hf, pw, salt, k.SpinCount)
		secret := agileDecrypt(hf, hn, agileBlockKeyValue, k.KeyBits, salt, ekv)
		if secret == nil || len(secret) < a.KeyData.KeyBits/8 {
			return nil, ErrDecrypt
		}
		secret = secret[:a.KeyData.KeyBits/8]
		blk, err := aes.NewCipher(secret)
		if err != nil {
			return nil, ErrDecrypt
		}
		for seg := 0; seg*4096 < len(body) && len(out) < int(size); seg++ {
			chunk := body[seg*4096 : min(len(body), (seg+1)*4096)]
			chunk = chunk[:len(chunk)/16*16]
			h := dhf()
			h.Write(kdSalt)
			binary.Write(h, binary.LittleEndian, uint32(seg))
			iv := h.Sum(nil)[:16]
			dst := make([]byte, len(chunk))
			cipher.NewCBCDecrypter(blk, iv).CryptBlocks(dst, chunk)
			out = append(out, dst...)
		}
	case (major == 3 || major == 4) && minor == 2:
		d := info[8:]
		if len(d) < 4 {
			return nil, ErrDecrypt
		}
		hs := int(binary.LittleEndian.Uint32(d))
		if hs < 32 || 4+hs+20 > len(d) {
			return nil, ErrDecrypt
		}
		keyBits := int(binary.LittleEndian.Uint32(d[4+16:]))
		salt := d[4+hs+4 : 4+hs+20]
		blk, err := aes.NewCipher(StandardKey(pw, salt, keyBits))
		if err != nil {
			return nil, ErrDecrypt
		}
		n := min(len(body)/16*16, int(size+15)/16*16)
		out = make([]byte, n)
		for i := 0; i+16 <= n; i += 16 {
			blk.Decrypt(out[i:], body[i:i+16])
		}
	default:
		return nil, ErrDecrypt
	}
	if uint64(len(out)) > size {
		out = out[:size]
	}
	return out, nil
}
