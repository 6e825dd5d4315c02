//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package tokenize

// The stream's features are written and hashed with native-order loads and
// stores (hash64, copy8, the pair separator): on a big-endian machine
// their hashes would differ from every trained store's. Refuse to build
// there rather than classify with meaningless counts.
const _ = littleEndianOnly // undefined: tokenize needs a little-endian machine
