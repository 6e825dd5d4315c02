package office

import (
	"bytes"
	"regexp"
	"strings"
)

// Text-based Office formats: Word 2003 XML (WordprocessingML,
// <?mso-application progid="Word.Document"?>), Excel 2003 XML
// (SpreadsheetML, progid="Excel.Sheet"), SYLK (a file starting "ID;P",
// records "C;...;E<formula>") and CSV. Each can carry a DDE call or an
// Excel formula that starts a program when the file is opened in Excel:
// "=cmd|' /c calc'!A1" is a DDE link to the service "cmd" (formula or
// CSV injection); SYLK formulas can also be Excel 4.0 macro functions.

var (
	// a formula cell calling a DDE service: =service|'topic'!item
	reDDEFormula = regexp.MustCompile(`(?i)(?:^|[,;\t"'>=])\s*[=+\-@][^\n,;]{0,80}?\b([a-z][a-z0-9_.]{1,30})\s*\|\s*['"]?[^'"\n|]{0,200}['"]?\s*!`)
	// =DDE("service";"topic";"item") or DDEAUTO in a field code
	reDDEFunc  = regexp.MustCompile(`(?i)(?:=\s*DDE\s*\(|\bDDEAUTO\b|<w:instrText[^>]*>\s*DDE\b|w:instr="\s*DDE(?:AUTO)?\b)`)
	reSylkExec = regexp.MustCompile(`(?i);E=?[^\n;]*?(EXEC|CALL|REGISTER|RUN|FOPEN|FWRITE|URLDownloadToFile|SHELL)\s*\(`)
)

// benign DDE services a spreadsheet formula may name by accident are not
// listed; any service followed by "|...!" in a cell is a DDE link.

// AnalyzeText looks at a text file that Word or Excel would open. It
// returns nil when the text is none of these formats or shows nothing.
func AnalyzeText(b []byte, name string) *Report {
	if len(b) > 8<<20 {
		b = b[:8<<20]
	}
	head := b[:min(len(b), 2048)]
	low := strings.ToLower(name)
	var r Report
	switch {
	case bytes.Contains(head, []byte(`progid="Word.Document"`)) || bytes.Contains(head, []byte("schemas.microsoft.com/office/word/2003/wordml")):
		r.Kind = "word2003xml"
	case bytes.Contains(head, []byte(`progid="Excel.Sheet"`)) || bytes.Contains(head, []byte("urn:schemas-microsoft-com:office:spreadsheet")):
		r.Kind = "excel2003xml"
	case bytes.HasPrefix(b, []byte("ID;P")):
		r.Kind = "sylk"
	case strings.HasSuffix(low, ".csv") || strings.HasSuffix(low, ".tsv") || strings.HasSuffix(low, ".iqy") || strings.HasSuffix(low, ".slk"):
		r.Kind = "csv"
	default:
		return nil
	}
	s := b
	if r.Kind == "word2003xml" || r.Kind == "excel2003xml" {
		s = []byte(xmlUnescape(string(b)))
	}
	if m := reDDEFormula.FindSubmatchIndex(s); m != nil {
		r.DDE = append(r.DDE, strings.TrimSpace(string(s[m[0]:min(m[1]+40, len(s))])))
	}
	if m := reDDEFunc.FindIndex(s); m != nil {
		r.DDE = append(r.DDE, strings.TrimSpace(string(s[m[0]:min(m[1]+80, len(s))])))
	}
	if r.Kind == "word2003xml" {
		r.dde(b)
	}
	if r.Kind == "sylk" {
		for _, m := range reSylkExec.FindAllSubmatch(s, 50) {
			r.XLM = true
			r.XLMCalls = uniq(append(r.XLMCalls, strings.ToUpper(string(m[1]))))
		}
		// a SYLK name record defining Auto_Open
		if bytes.Contains(bytes.ToLower(s), []byte("nn;nauto_open")) {
			r.XLMAutoOpen = true
		}
	}
	if len(r.DDE) == 0 && !r.XLM {
		return nil
	}
	return &r
}
