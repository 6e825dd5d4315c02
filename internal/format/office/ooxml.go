package office

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path"
	"regexp"
	"strings"
)

// IsOOXML reports whether a zip is an Office Open XML package, and which
// application it belongs to ("word", "xl", "ppt"), by its content types.
func IsOOXML(zr *zip.Reader) (bool, string) {
	ct := false
	app := ""
	for _, f := range zr.File {
		n := f.Name
		if n == "[Content_Types].xml" {
			ct = true
		}
		if app == "" {
			switch {
			case strings.HasPrefix(n, "word/"):
				app = "word"
			case strings.HasPrefix(n, "xl/"):
				app = "xl"
			case strings.HasPrefix(n, "ppt/"):
				app = "ppt"
			}
		}
	}
	return ct && app != "", app
}

var (
	relRe        = regexp.MustCompile(`(?s)<Relationship\b[^>]*>`)
	attrRe       = regexp.MustCompile(`([\w:]+)\s*=\s*"([^"]*)"`)
	ddeRe        = regexp.MustCompile(`(?i)\bDDE(AUTO)?\b`)
	instrRe      = regexp.MustCompile(`(?s)<w:instrText[^>]*>([^<]*)</w:instrText>|w:instr="([^"]*)"`)
	sheetRe      = regexp.MustCompile(`<sheet\b[^>]*>`)
	xlmCallRe    = regexp.MustCompile(`(?i)\b(EXEC|CALL|REGISTER|URLDownloadToFile\w*|RUN|FORMULA(\.FILL)?|SET\.NAME|FOPEN|FWRITE(LN)?|GET\.WORKSPACE|HALT|WINDOW\.HIDE|CreateThread|VirtualAlloc|ShellExecute\w*)\s*\(`)
	autoOpenName = regexp.MustCompile(`(?i)name="(_xlnm\.)?Auto_Open`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(tag, -1) {
		m[a[1]] = xmlUnescape(a[2])
	}
	return m
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
}

// AnalyzeOOXML inspects an OOXML package already opened as a zip.
func AnalyzeOOXML(zr *zip.Reader, lim Limits) *Report {
	lim.fill()
	r := &Report{}
	_, app := IsOOXML(zr)
	read := func(f *zip.File) []byte {
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		// archive/zip refuses more than the declared size: reserve that
		// (at most MaxStream), read into one buffer of that size.
		// Deflate expands at most about 1032:1, so a small member
		// declaring a large size does not get a large buffer.
		n := int64(min(f.UncompressedSize64, uint64(lim.MaxStream), f.CompressedSize64*1100+64<<10))
		if !hold(lim.Mem, n) {
			r.Errors = append(r.Errors, f.Name+": not read: decompression memory of all scans at its bound")
			return nil
		}
		b := make([]byte, n)
		m, err := io.ReadFull(rc, b)
		b = b[:m:m]
		drop(lim.Mem, n-int64(m))
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		if err != nil && !errors.Is(err, zip.ErrChecksum) {
			r.Errors = append(r.Errors, f.Name+": "+err.Error())
		}
		return b
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	macroSheetTargets := map[string]bool{}
	var workbook []byte
	var wbRels []byte
	var xlsb, xlsbAutoOpen bool
	var xlsbSheets []xlsbSheet
	for _, f := range zr.File {
		name := f.Name
		lower := strings.ToLower(name)
		base := path.Base(lower)
		switch {
		case name == "[Content_Types].xml":
			if bytes.Contains(bytes.ToLower(read(f)), []byte("macroenabled")) {
				r.MacroTypes = true
			}
		case base == "vbaproject.bin":
			sub := AnalyzeOLE(read(f), lim)
			r.VBA = r.VBA || sub.VBA
			r.Modules = append(r.Modules, sub.Modules...)
			r.Macro.merge(sub.Macro)
			if sub.VBA && r.Macro.Class == MacroNone {
				r.Macro.Class = MacroPresent
			}
		case strings.HasPrefix(lower, "xl/macrosheets/") && strings.HasSuffix(lower, ".xml"):
			r.XLM = true
			r.XLMSheets = append(r.XLMSheets, path.Base(name))
			macroSheetTargets[strings.TrimPrefix(lower, "xl/")] = true
			r.XLMCalls = uniq(append(r.XLMCalls, upperAll(xlmCallRe.FindAllStringSubmatch(string(read(f)), 50))...))
		case strings.HasPrefix(lower, "xl/macrosheets/") && strings.HasSuffix(lower, ".bin"):
			// .xlsb: a BIFF12 macro sheet
			r.XLM = true
			r.XLMSheets = append(r.XLMSheets, path.Base(name))
			macroSheetTargets[strings.TrimPrefix(lower, "xl/")] = true
			r.xlsbMacroSheet(read(f))
		case lower == "xl/workbook.xml":
			workbook = read(f)
		case lower == "xl/workbook.bin":
			xlsb = true
			sheets, auto := xlsbWorkbook(read(f))
			xlsbSheets = sheets
			xlsbAutoOpen = auto
		case lower == "xl/_rels/workbook.xml.rels" || lower == "xl/_rels/workbook.bin.rels":
			wbRels = read(f)
		case strings.HasSuffix(lower, ".rels"):
			r.rels(read(f))
		case strings.Contains(lower, "/embeddings/") || strings.HasPrefix(lower, "word/activex/") && strings.HasSuffix(lower, ".bin"):
			b := read(f)
			switch {
			case bytes.HasPrefix(b, []byte("\xd0\xcf\x11\xe0")):
				sub := AnalyzeOLE(b, lim)
				r.OLEPackage = append(r.OLEPackage, sub.OLEPackage...)
				r.OLEPackageCommand = append(r.OLEPackageCommand, sub.OLEPackageCommand...)
				r.Embedded = append(r.Embedded, sub.Embedded...)
				if sub.VBA || sub.XLM {
					r.embed(path.Base(name), b, lim.MaxStream)
				}
			default:
				r.embed(path.Base(name), b, lim.MaxStream)
			}
		case strings.HasSuffix(lower, ".xml") && (strings.HasPrefix(lower, "word/") || strings.HasPrefix(lower, "xl/") || strings.HasPrefix(lower, "ppt/")):
			b := read(f)
			if bytes.Contains(b, []byte("instr")) || bytes.Contains(b, []byte("ddeLink")) || bytes.Contains(b, []byte("ddeService")) {
				r.dde(b)
			}
		}
	}
	if len(workbook) > 0 {
		if autoOpenName.Match(workbook) && r.XLM {
			r.XLMAutoOpen = true
		}
		// Map sheet r:id to its target to see whether a macro sheet is hidden.
		targets := relTargets(wbRels)
		for _, s := range sheetRe.FindAllString(string(workbook), -1) {
			a := attrs(s)
			st := a["state"]
			t := targets[a["r:id"]]
			if (st == "hidden" || st == "veryHidden") && (macroSheetTargets[t] || strings.Contains(t, "macrosheets/")) {
				r.XLMHidden = true
			}
		}
	}
	if xlsb {
		targets := relTargets(wbRels)
		var names []string
		for _, s := range xlsbSheets {
			t := targets[s.relID]
			if macroSheetTargets[t] || strings.Contains(t, "macrosheets/") {
				names = append(names, s.name)
				if s.state != 0 {
					r.XLMHidden = true
				}
			}
		}
		if len(names) > 0 {
			r.XLMSheets = names
		}
		if xlsbAutoOpen && r.XLM {
			r.XLMAutoOpen = true
		}
	}
	m := r.VBA
	switch app {
	case "word":
		r.Kind = pick(m, "docm", "docx")
	case "xl":
		r.Kind = pick(m || r.XLM, "xlsm", "xlsx")
		if xlsb {
			r.Kind = "xlsb"
		}
	case "ppt":
		r.Kind = pick(m, "pptm", "pptx")
	}
	return r
}

// relTargets maps relationship ids to lower-case targets relative to xl/.
func relTargets(rels []byte) map[string]string {
	targets := map[string]string{}
	for _, rel := range relRe.FindAllString(string(rels), 2000) {
		a := attrs(rel)
		targets[a["Id"]] = strings.ToLower(strings.TrimPrefix(a["Target"], "/xl/"))
	}
	return targets
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func upperAll(ms [][]string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, strings.ToUpper(m[1]))
	}
	return out
}

// rels records external relationships: remote templates and OLE objects
// (template injection, CVE-2017-0199 style) and plain hyperlinks.
func (r *Report) rels(b []byte) {
	for _, rel := range relRe.FindAllString(string(b), 500) {
		a := attrs(rel)
		if !strings.EqualFold(a["TargetMode"], "External") {
			continue
		}
		t := strings.TrimSpace(a["Target"])
		typ := strings.ToLower(path.Base(a["Type"]))
		lt := strings.ToLower(t)
		remote := strings.HasPrefix(lt, "http:") || strings.HasPrefix(lt, "https:") || strings.HasPrefix(lt, "\\\\") || strings.HasPrefix(lt, "file:") || strings.HasPrefix(lt, "ftp:")
		switch typ {
		case "attachedtemplate", "oleobject", "frame", "subdocument", "externallinkpath", "externallink":
			if remote {
				r.RemoteTemplate = append(r.RemoteTemplate, typ+" "+t)
			}
		}
		if strings.HasPrefix(lt, "http:") || strings.HasPrefix(lt, "https:") {
			r.addURL(t)
		}
	}
}

// dde looks for DDE and DDEAUTO field codes (possibly split across runs)
// and Excel DDE links.
func (r *Report) dde(b []byte) {
	var sb strings.Builder
	for _, m := range instrRe.FindAllSubmatch(b, 2000) {
		sb.Write(m[1])
		sb.Write(m[2])
	}
	s := xmlUnescape(sb.String())
	if loc := ddeRe.FindStringIndex(s); loc != nil {
		end := min(loc[1]+120, len(s))
		r.DDE = append(r.DDE, strings.TrimSpace(s[loc[0]:end]))
	}
	if bytes.Contains(b, []byte("<ddeLink")) {
		r.DDE = append(r.DDE, "ddeLink")
	}
}
