package config

import (
	"fmt"
)

// Attach holds the [attach] section: attachment, archive, Office and PDF
// analysis (docs/attachments.md).
type Attach struct {
	// Enabled turns the feature on. Default true.
	Enabled bool `toml:"enabled"`
	// MaxDepth is how deep archives and documents are opened inside each
	// other (an attachment is depth 0). Deeper content is a finding. Default 5.
	MaxDepth int `toml:"max_depth"`
	// MaxChainDepth is how deep a chain of single-member archives
	// (gz→tar→gz→tar…) is followed past max_depth: each level holds one
	// file, so the cost stays linear and bounded by max_files and
	// max_total_bytes. An archive with more members past max_depth, or any
	// past max_chain_depth, is ARCHIVE_TOO_DEEP. At least max_depth. Default 32.
	MaxChainDepth int `toml:"max_chain_depth"`
	// MaxFiles is the most inner files opened per message. Default 1000.
	MaxFiles int `toml:"max_files"`
	// MaxFileBytes is the most bytes read (decompressed) from one inner
	// file; larger files are analysed on their first bytes. Default 52428800 (50 MiB).
	MaxFileBytes int64 `toml:"max_file_bytes"`
	// MaxTotalBytes is the most bytes decompressed per message, all files
	// together. Default 209715200 (200 MiB).
	MaxTotalBytes int64 `toml:"max_total_bytes"`
	// MaxBytesAllScans bounds the bytes decompressed by all messages being
	// scanned at once (memory does not grow with concurrent archive bombs):
	// a message that would pass it is answered "try again later" (its
	// verdict is tempfail; the front end's fail_safe applies). At least
	// max_total_bytes. Default 1073741824 (1 GiB).
	MaxBytesAllScans int64 `toml:"max_bytes_all_scans"`
	// MaxRatio is the largest decompressed/compressed size ratio of one
	// inner file before it counts as a decompression bomb. Default 200.
	MaxRatio float64 `toml:"max_ratio"`
	// TryPasswords: try passwords offered by the message text on encrypted
	// zip and 7z archives and scan what they open. Default true.
	TryPasswords bool `toml:"try_passwords"`
	// MaxPasswords is the most candidate passwords tried per archive. Default 20.
	MaxPasswords int `toml:"max_passwords"`
	// MaxKeyDerivations bounds the password tries on 7z and rar archives
	// per message, counted in 7-Zip key derivations (2^19 SHA-256 rounds,
	// about 20 ms each): tries beyond it are not made and the archive stays
	// encrypted (ARCHIVE_ENCRYPTED, held by the fail-closed rule). Keys are
	// cached per message, so copies of one archive cost one try per
	// password. Zip passwords are cheap and not counted. Default 32.
	MaxKeyDerivations int `toml:"max_key_derivations"`
	// ExtraPasswords are always tried too (e.g. "infected"). Default empty.
	ExtraPasswords []string `toml:"extra_passwords"`
	// Office turns on Office analysis (VBA, XLM, DDE, templates, RTF). Default true.
	Office bool `toml:"office"`
	// PDF turns on PDF analysis. Default true.
	PDF bool `toml:"pdf"`
	// MaxPDFStreamBytes is the most bytes inflated from one PDF stream. Default 4194304 (4 MiB).
	MaxPDFStreamBytes int64 `toml:"max_pdf_stream_bytes"`
}

func defaultAttach() Attach {
	return Attach{
		Enabled: true, MaxDepth: 5, MaxChainDepth: 32, MaxFiles: 1000,
		MaxFileBytes: 50 << 20, MaxTotalBytes: 200 << 20, MaxBytesAllScans: 1 << 30, MaxRatio: 200,
		TryPasswords: true, MaxPasswords: 20, MaxKeyDerivations: 32,
		Office: true, PDF: true, MaxPDFStreamBytes: 4 << 20,
	}
}

func init() {
	validators = append(validators, func(c *Config) error {
		a := c.Attach
		switch {
		case a.MaxDepth < 0 || a.MaxDepth > 20:
			return fmt.Errorf("config: attach.max_depth %d: want 0..20", a.MaxDepth)
		case a.MaxChainDepth < a.MaxDepth || a.MaxChainDepth > 100:
			return fmt.Errorf("config: attach.max_chain_depth %d: want max_depth (%d)..100", a.MaxChainDepth, a.MaxDepth)
		case a.MaxFiles < 1:
			return fmt.Errorf("config: attach.max_files %d: want at least 1", a.MaxFiles)
		case a.MaxBytesAllScans < a.MaxTotalBytes:
			return fmt.Errorf("config: attach.max_bytes_all_scans (%d) must be >= attach.max_total_bytes (%d)", a.MaxBytesAllScans, a.MaxTotalBytes)
		case a.MaxFileBytes < 1024 || a.MaxTotalBytes < a.MaxFileBytes:
			return fmt.Errorf("config: attach.max_file_bytes (%d) must be >= 1024 and <= attach.max_total_bytes (%d)", a.MaxFileBytes, a.MaxTotalBytes)
		case a.MaxRatio < 2:
			return fmt.Errorf("config: attach.max_ratio %g: want at least 2", a.MaxRatio)
		case a.MaxPasswords < 0:
			return fmt.Errorf("config: attach.max_passwords %d: want >= 0", a.MaxPasswords)
		case a.MaxPDFStreamBytes < 1024:
			return fmt.Errorf("config: attach.max_pdf_stream_bytes %d: want >= 1024", a.MaxPDFStreamBytes)
		}
		return nil
	})
}
