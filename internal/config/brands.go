package config

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/brands"
)

// Brands holds the [brands] section: the catalogue of often-impersonated
// brands that the sender, auth and url analyzers check display names and
// domains against (docs/brands.md).
type Brands struct {
	// Files are catalogue files (TOML, glob patterns allowed) read after
	// the built-in catalogue: each [[brand]] adds a brand, or extends the
	// built-in brand of the same name with more names, domains and
	// keywords (disable = true removes it). A pattern that matches nothing
	// is no error; a plain path that does not exist is. Default
	// ["/etc/sekisho/brands.d/*.toml"].
	Files []string `toml:"files"`
}

func defaultBrands() Brands {
	return Brands{Files: []string{"/etc/sekisho/brands.d/*.toml"}}
}

func init() {
	validators = append(validators, func(c *Config) error {
		if _, err := brands.Load(c.Brands.Files); err != nil {
			return fmt.Errorf("config: brands.files: %w", err)
		}
		return nil
	})
}
