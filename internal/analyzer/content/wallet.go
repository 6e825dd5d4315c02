package content

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"regexp"
	"strings"

	"golang.org/x/crypto/sha3"
)

// Cryptocurrency addresses, validated by their checksums so that random
// strings do not count: Base58Check (P2PKH/P2SH, version 0x00/0x05),
// BIP 173 bech32 and BIP 350 bech32m (segwit v0 / v1+), and EIP-55
// mixed-case checksums for Ethereum.

var (
	reETHWord = regexp.MustCompile(`(?i)ethereum|\beth\b|\busdt\b|erc-?20|wallet|イーサリアム|ウォレット`)
)

const b58alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Decode decodes a Base58 string (bounded to 64 characters).
func base58Decode(s string) ([]byte, bool) {
	if len(s) == 0 || len(s) > 64 {
		return nil, false
	}
	n := new(big.Int)
	radix := big.NewInt(58)
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(b58alphabet, s[i])
		if j < 0 {
			return nil, false
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(j)))
	}
	b := n.Bytes()
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	return append(make([]byte, zeros), b...), true
}

// ValidBase58Check reports a Bitcoin P2PKH/P2SH address with a good checksum.
func ValidBase58Check(s string) bool {
	b, ok := base58Decode(s)
	if !ok || len(b) != 25 || (b[0] != 0x00 && b[0] != 0x05) {
		return false
	}
	h1 := sha256.Sum256(b[:21])
	h2 := sha256.Sum256(h1[:])
	return string(h2[:4]) == string(b[21:])
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>uint(i))&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

// ValidBech32Address reports a segwit address ("bc1...") whose checksum is
// bech32 for witness version 0 or bech32m for versions 1-16.
func ValidBech32Address(s string) bool {
	if len(s) < 14 || len(s) > 90 {
		return false
	}
	if strings.ToLower(s) != s && strings.ToUpper(s) != s {
		return false
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return false
	}
	hrp := s[:pos]
	if hrp != "bc" {
		return false
	}
	data := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		d := strings.IndexByte(bech32Charset, s[i])
		if d < 0 {
			return false
		}
		data = append(data, byte(d))
	}
	values := make([]byte, 0, len(hrp)*2+1+len(data))
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	values = append(values, data...)
	pm := bech32Polymod(values)
	ver := data[0]
	switch {
	case ver == 0:
		return pm == 1 && (len(data)-7 == 32 || len(data)-7 == 52) // 20- or 32-byte program
	case ver <= 16:
		return pm == 0x2bc830a3
	}
	return false
}

// ValidEIP55 reports an Ethereum address whose mixed case matches its
// EIP-55 checksum. all-lower or all-upper addresses carry no checksum:
// checksummed is false for them.
func ValidEIP55(addr string) (valid, checksummed bool) {
	if len(addr) != 42 || !strings.HasPrefix(addr, "0x") {
		return false, false
	}
	h := addr[2:]
	if _, err := hex.DecodeString(h); err != nil {
		return false, false
	}
	lower := strings.ToLower(h)
	if h == lower || h == strings.ToUpper(h) {
		return true, false
	}
	k := sha3.NewLegacyKeccak256()
	k.Write([]byte(lower))
	sum := k.Sum(nil)
	for i := 0; i < 40; i++ {
		c := h[i]
		nib := sum[i/2]
		if i%2 == 0 {
			nib >>= 4
		}
		nib &= 0xf
		if c >= 'a' && c <= 'f' && nib >= 8 || c >= 'A' && c <= 'F' && nib < 8 {
			return false, false
		}
	}
	return true, true
}

// findWallets returns the valid Bitcoin and Ethereum addresses in text
// (case kept), at most 5 of each. It walks the runs of ASCII letters and
// digits once; only runs shaped like an address reach the checksum code.
func findWallets(text string) (btc, eth []string) {
	ethWord := -1
	return findWalletsIn(text, text, "", &ethWord, nil, nil)
}

// findWallets2 is findWallets(a + "\n" + b) without joining the texts
// (the line break ends every address and every match of reETHWord).
func findWallets2(a, b string) (btc, eth []string) {
	ethWord := -1
	btc, eth = findWalletsIn(a, a, b, &ethWord, nil, nil)
	return findWalletsIn(b, a, b, &ethWord, btc, eth)
}

// findWalletsIn adds the addresses of text to btc and eth; the word test
// for unchecksummed Ethereum addresses is on ctxA and ctxB (ethWord: -1
// not made yet, else its answer).
func findWalletsIn(text, ctxA, ctxB string, ethWord *int, btc, eth []string) ([]string, []string) {
	n := len(text)
	// Only runs of minRun or more letters and digits can be addresses.
	// Before i, every such run has been looked at, and text[i-1] is no
	// letter or digit: when text[i+minRun-1] is none either, no such run
	// starts in text[i:i+minRun], and the walk jumps past it.
	for i := 0; i+minRun <= n; {
		e := i + minRun - 1
		if !isAlnum(text[e]) {
			i = e + 1
			continue
		}
		j := e // start of the run through text[e]: not before i
		for j > i && isAlnum(text[j-1]) {
			j--
		}
		k := e + 1
		for k < n && isAlnum(text[k]) {
			k++
		}
		w := text[j:k]
		i = k + 1 // text[k] is no letter or digit (or k == n)
		if len(w) < minRun {
			continue
		}
		switch {
		case len(w) >= 26 && len(w) <= 35 && (w[0] == '1' || w[0] == '3'):
			if len(btc) < 5 && ValidBase58Check(w) {
				btc = append(btc, w)
			}
		case len(w) >= 14 && len(w) <= 90 && (w[:3] == "bc1" || w[:3] == "BC1"):
			if len(btc) < 5 && ValidBech32Address(w) {
				btc = append(btc, w)
			}
		case len(w) == 42 && w[0] == '0' && w[1] == 'x':
			ok, sum := ValidEIP55(w)
			if !ok {
				continue
			}
			if !sum {
				if *ethWord < 0 {
					*ethWord = 0
					if reETHWord.MatchString(ctxA) || ctxB != "" && reETHWord.MatchString(ctxB) {
						*ethWord = 1
					}
				}
				if *ethWord == 0 {
					continue
				}
			}
			if len(eth) < 5 {
				eth = append(eth, w)
			}
		}
	}
	return btc, eth
}

func isAlnum(c byte) bool { return alnum[c] }

// minRun is the length of the shortest address findWallets looks at.
const minRun = 14

// alnum holds the ASCII letters and digits.
var alnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()
