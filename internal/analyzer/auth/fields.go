package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/mail"
)

// authFields is what Extract asks of the header block, found in one pass
// instead of a Headers.Count or Has (strings.EqualFold on every field)
// for each name.
type authFields struct {
	received                 int  // Received fields
	returnPath, dkim, arcSet bool // Return-Path, DKIM-Signature, any ARC-* of the three
}

// Field kinds scanFields tells apart.
const (
	fOther = iota
	fReceived
	fReturnPath
	fDKIM
	fARC
)

// fieldKind is the kind of a field name, compared as strings.EqualFold
// compares: an ASCII name can only equal a name of its length; one with
// other bytes may fold ("ARC-ſeal") and is compared with each.
func fieldKind(n string) int {
	for i := 0; i < len(n); i++ {
		if n[i] >= utf8.RuneSelf {
			switch {
			case strings.EqualFold(n, "Received"):
				return fReceived
			case strings.EqualFold(n, "Return-Path"):
				return fReturnPath
			case strings.EqualFold(n, "DKIM-Signature"):
				return fDKIM
			case strings.EqualFold(n, "ARC-Seal"), strings.EqualFold(n, "ARC-Message-Signature"), strings.EqualFold(n, "ARC-Authentication-Results"):
				return fARC
			}
			return fOther
		}
	}
	switch len(n) {
	case 8:
		switch {
		case strings.EqualFold(n, "Received"):
			return fReceived
		case strings.EqualFold(n, "ARC-Seal"):
			return fARC
		}
	case 11:
		if strings.EqualFold(n, "Return-Path") {
			return fReturnPath
		}
	case 14:
		if strings.EqualFold(n, "DKIM-Signature") {
			return fDKIM
		}
	case 21:
		if strings.EqualFold(n, "ARC-Message-Signature") {
			return fARC
		}
	case 26:
		if strings.EqualFold(n, "ARC-Authentication-Results") {
			return fARC
		}
	}
	return fOther
}

func scanFields(h mail.Headers, kinds []uint8) (authFields, []uint8) {
	var x authFields
	for i := range h {
		k := fieldKind(h[i].Name)
		kinds = append(kinds, uint8(k))
		switch k {
		case fReceived:
			x.received++
		case fReturnPath:
			x.returnPath = true
		case fDKIM:
			x.dkim = true
		case fARC:
			x.arcSet = true
		}
	}
	return x, kinds
}
