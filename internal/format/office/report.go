package office

// Report is what one Office document holds.
type Report struct {
	Kind string // "doc", "xls", "ppt", "msi", "ole2", "docx", "docm", "xlsx", "xlsm", "pptx", "pptm", "rtf", "encrypted-ooxml"

	VBA        bool     // a VBA project is present
	Modules    []Module // modules with source
	Macro      Classification
	MacroTypes bool // OOXML content types say macroEnabled

	XLM         bool     // Excel 4.0 macro sheets
	XLMHidden   bool     // ... hidden or very hidden
	XLMAutoOpen bool     // an Auto_Open name points at one
	XLMSheets   []string // macro sheet names
	XLMCalls    []string // dangerous XLM functions seen (EXEC, CALL, REGISTER, ...)

	Encrypted       bool
	EncryptionType  string // "rc4", "rc4-cryptoapi", "xor", "standard", "agile", "word-fib"
	DefaultPassword bool   // opens with Excel's "VelvetSweatshop"

	DDE               []string // DDE / DDEAUTO field codes
	RemoteTemplate    []string // http(s) attachedTemplate or external OLE targets
	OLEPackage        []string // file names of embedded Package objects
	RTFObjects        []string // RTF \object classes
	RTFExploitable    bool     // RTF object of a class with known exploits (Equation.3, ...)
	RTFExploitClass   string   // which class, for the evidence
	OLEPackageCommand []string // command lines an OLE Package runs (label, path or the packager's command-line type)

	Embedded []Embedded // files inside (Package payloads, embedded OLE/OOXML) for recursive analysis
	URLs     []string   // external links (hyperlinks, templates, objects)
	Errors   []string   // parse problems (not findings by themselves)
}

// Embedded is a file carried inside a document.
type Embedded struct {
	Name string
	Data []byte
}

func (r *Report) addURL(u string) {
	if len(r.URLs) < 200 {
		r.URLs = append(r.URLs, u)
	}
}

func (r *Report) embed(name string, data []byte, max int) {
	if len(r.Embedded) < 100 && len(data) > 0 {
		if len(data) > max {
			data = data[:max]
		}
		r.Embedded = append(r.Embedded, Embedded{Name: name, Data: data})
	}
}

// Limits bound document analysis.
type Limits struct {
	MaxStream int // most bytes read from one OLE stream / zip member. Default 16 MiB.
	MaxSource int // most bytes of VBA source per module. Default 2 MiB.
	// Mem, when set, holds the bytes decompressed from zip members and
	// compressed PowerPoint objects in the bound of all scans together
	// ([attach] max_bytes_all_scans): a read it refuses is not made.
	Mem Memory
}

// Memory is a byte reservation (archive.Budget's Reserve and GiveBack): Reserve
// reserves n bytes or refuses, GiveBack gives back what was not used.
type Memory interface {
	Reserve(n int64) bool
	GiveBack(n int64)
}

// hold reserves n bytes in m (nil: no bound).
func hold(m Memory, n int64) bool { return m == nil || m.Reserve(n) }

func drop(m Memory, n int64) {
	if m != nil {
		m.GiveBack(n)
	}
}

func (l *Limits) fill() {
	if l.MaxStream <= 0 {
		l.MaxStream = 16 << 20
	}
	if l.MaxSource <= 0 {
		l.MaxSource = 2 << 20
	}
}
