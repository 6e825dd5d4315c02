package office

import (
	"crypto/aes"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
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
