package office

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"testing"
)

func md5sum(b []byte) []byte  { s := md5.Sum(b); return s[:] }
func sha1sum(b []byte) []byte { s := sha1.Sum(b); return s[:] }

func rc4Enc(key, a, b []byte) ([]byte, []byte) {
	c, _ := rc4.NewCipher(key)
	x := make([]byte, len(a))
	y := make([]byte, len(b))
	c.XORKeyStream(x, a)
	c.XORKeyStream(y, b)
	return x, y
}

func aesECB(key, in []byte) []byte {
	blk, _ := aes.NewCipher(key)
	out := make([]byte, len(in))
	for i := 0; i+16 <= len(in); i += 16 {
		blk.Encrypt(out[i:], in[i:i+16])
	}
	return out
}

func aesCBC(key, iv, in []byte) []byte {
	blk, _ := aes.NewCipher(key)
	for len(in)%16 != 0 {
		in = append(in, 0)
	}
	out := make([]byte, len(in))
	cipher.NewCBCEncrypter(blk, iv[:16]).CryptBlocks(out, in)
	return out
}

// agileEncrypt builds EncryptionInfo (4.4) and EncryptedPackage.
func agileEncrypt(t *testing.T, plain []byte, pw string) ([]byte, []byte) {
	hf := sha512.New
	salt := []byte("0123456789ABCDEF")
	kdSalt := []byte("fedcba9876543210")
	secret := []byte("S3cretKeyS3cretKeyS3cretKeyS3cre") // 32 bytes
	verifier := []byte("verifier-input!!")
	spin := 1000
	hn := AgileHashPassword(hf, pw, salt, spin)
	vin := aesCBC(AgileKey(hf, hn, agileBlockVerifierInput, 256), salt, verifier)
	vh := sha512.Sum512(verifier)
	vval := aesCBC(AgileKey(hf, hn, agileBlockVerifierValue, 256), salt, vh[:])
	kval := aesCBC(AgileKey(hf, hn, agileBlockKeyValue, 256), salt, secret)
	b64 := base64.StdEncoding.EncodeToString
	x := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">` +
		`<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="` + b64(kdSalt) + `"/>` +
		`<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password"><p:encryptedKey spinCount="1000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="` + b64(salt) +
		`" encryptedVerifierHashInput="` + b64(vin) + `" encryptedVerifierHashValue="` + b64(vval) + `" encryptedKeyValue="` + b64(kval) + `"/></keyEncryptor></keyEncryptors></encryption>`
	info := append([]byte{4, 0, 4, 0, 0x40, 0, 0, 0}, x...)
	pkg := binary.LittleEndian.AppendUint64(nil, uint64(len(plain)))
	for seg := 0; seg*4096 < len(plain); seg++ {
		chunk := plain[seg*4096 : min(len(plain), (seg+1)*4096)]
		h := sha512.New()
		h.Write(kdSalt)
		binary.Write(h, binary.LittleEndian, uint32(seg))
		pkg = append(pkg, aesCBC(secret, h.Sum(nil)[:16], append([]byte{}, chunk...))...)
	}
	return info, pkg
}

// streamOf returns one stream of a compound file.
func streamOf(t *testing.T, cfb []byte, name string) []byte {
	t.Helper()
	streams, err := readOLE(cfb, Limits{MaxStream: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if s.path == name {
			return s.data
		}
	}
	t.Fatalf("no stream %q", name)
	return nil
}
