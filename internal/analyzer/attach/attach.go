// Package attach is sekisho's attachment analyzer (see
// internal/engine/registry.go and docs/attachments.md): it finds each
// attachment's true type, opens archives (zip, rar, 7z, gzip, bzip2, xz,
// tar, cab, ISO 9660) to a bounded depth, trying passwords the message
// offers, and looks into Office documents (VBA, XLM, DDE, templates,
// OLE packages, RTF objects, encryption) and PDFs (JavaScript, actions,
// embedded files, links). An optional clamd client scans attachments.
// Every attachment and inner file is recorded with its SHA-256.
package attach

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/format/archive"
	"github.com/sekisho/sekisho/internal/format/container"
	"github.com/sekisho/sekisho/internal/format/filetype"
	"github.com/sekisho/sekisho/internal/format/lnk"
	"github.com/sekisho/sekisho/internal/format/office"
	"github.com/sekisho/sekisho/internal/format/onenote"
	"github.com/sekisho/sekisho/internal/format/pdf"
	"github.com/sekisho/sekisho/internal/format/tnef"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// DecryptedKey is the Task key under which the analyzer stores files it
// opened from password-protected archives ([]Decrypted), for clamd.
const DecryptedKey = "attach.decrypted"

// Decrypted is a file opened with a password.
type Decrypted struct {
	Path string
	Data []byte
}

// New builds the attachment analyzer and, when enabled, the clamd scanner.
func New(cfg *config.Config, deps pipeline.Deps) ([]pipeline.Analyzer, error) {
	var out []pipeline.Analyzer
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Attach.Enabled {
		archive.AllScans.SetMax(cfg.Attach.MaxBytesAllScans)
		out = append(out, &Analyzer{cfg: cfg.Attach, log: log})
	}
	if cfg.ClamAV.Enabled {
		out = append(out, NewClamAV(cfg.ClamAV))
	}
	return out, nil
}

// Analyzer looks inside attachments.
type Analyzer struct {
	cfg config.Attach
	log *slog.Logger
}

var (
	_ pipeline.Analyzer = (*Analyzer)(nil)
	_ pipeline.Staged   = (*Analyzer)(nil)
)

// Name implements pipeline.Analyzer.
func (a *Analyzer) Name() string { return "attach" }

// Stage implements pipeline.Staged: attachments are opened first so later
// stages see their links and findings.
func (a *Analyzer) Stage() pipeline.Stage { return pipeline.StageExtract }

// NewAnalyzer builds the analyzer alone (tests, benchmarks).
func NewAnalyzer(c config.Attach) *Analyzer {
	return &Analyzer{cfg: c, log: slog.New(slog.DiscardHandler)}
}

type run struct {
	a         *Analyzer
	t         *pipeline.Task
	ctx       context.Context
	budget    *archive.Budget
	files     int
	pws       []string
	pwsLoaded bool
	decrypted []Decrypted
	stopped   bool
}

// Analyze implements pipeline.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, t *pipeline.Task) error {
	r := &run{a: a, t: t, ctx: ctx, budget: &archive.Budget{Left: a.cfg.MaxTotalBytes,
		KDFLeft: float64(a.cfg.MaxKeyDerivations), KDFLimited: a.cfg.MaxKeyDerivations > 0, Shared: archive.AllScans}}
	// The decompressed bytes are held until the analyzer is done (inner
	// files are analysed as they come; decrypted ones go on to clamd).
	defer r.budget.Release()
	for _, p := range t.Msg.Attachments {
		if p.IsMultipart() || p.Embedded != nil || strings.HasPrefix(p.ContentType, "message/") {
			continue
		}
		if len(p.Body) == 0 && p.Filename == "" {
			continue
		}
		r.file(item{path: p.Path, name: p.Filename, declared: p.ContentType, data: p.Body, depth: 0, fromPart: p.Path})
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	// HTML bodies (not attachments) can smuggle files too: data: URIs and
	// base64 strings decoded by script are analysed as their inner files.
	for _, p := range t.Msg.TextParts {
		if p.ContentType != "text/html" || p.IsAttachment || len(p.Body) == 0 {
			continue
		}
		r.smuggling(item{path: p.Path, declared: p.ContentType, data: p.Body, fromPart: p.Path})
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if r.budget.Busy {
		// All scans together hold max_bytes_all_scans: not this
		// message's fault, and not inspected either. Try again later.
		t.Tempfail("attach: decompression memory of all scans at its bound")
		return fmt.Errorf("%w: attach: decompression memory busy", pipeline.ErrTemporary)
	}
	if len(r.decrypted) > 0 {
		t.Set(DecryptedKey, r.decrypted)
	}
	if r.files > 0 {
		t.Logger.Debug("attachments analysed", "files", r.files, "decompressed_bytes", r.budget.Used, "decrypted", len(r.decrypted),
			"key_derivations", r.budget.KDFTries, "password_tries_refused", r.budget.KDFSkipped)
	}
	return nil
}

type item struct {
	path      string // "2" or "2/invoice.zip/a.xlsm"
	name      string
	declared  string
	data      []byte
	depth     int
	inArchive bool // inside an archive or document
	encrypted bool
	fromPart  string
}

func (r *run) passwords() []string {
	if !r.pwsLoaded {
		r.pwsLoaded = true
		if r.a.cfg.TryPasswords {
			r.pws = candidatePasswords(r.t.Msg, r.a.cfg.ExtraPasswords, r.a.cfg.MaxPasswords)
		} else {
			r.pws = append([]string(nil), r.a.cfg.ExtraPasswords...)
		}
	}
	return r.pws
}

func (r *run) opt(path string) string { return path }

// file analyses one attachment or inner file.
func (r *run) file(it item) {
	if r.stopped || r.ctx.Err() != nil {
		return
	}
	r.files++
	if r.files > r.a.cfg.MaxFiles {
		r.t.Add(SymArchiveTooMany, it.path)
		r.stopped = true
		return
	}
	data := it.data
	sum := sha256.Sum256(data)
	det := filetype.Detect(data)
	detected := det
	var zr *zip.Reader
	var ooxml bool
	if det == filetype.Zip {
		if z, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil || errors.Is(err, zip.ErrInsecurePath) {
			zr = z
			if ok, _ := office.IsOOXML(z); ok {
				ooxml = true
				detected = "ooxml"
			} else if hasZipFile(z, "META-INF/MANIFEST.MF") {
				detected = "jar"
			} else if hasZipFile(z, "AndroidManifest.xml") {
				detected = "apk"
			}
		}
	}
	if detected == filetype.Unknown && tnef.IsTNEF(data) {
		detected = "tnef"
	}
	var cont string
	if det == filetype.Unknown || det == filetype.Text {
		if cont = container.Identify(data); cont != "" {
			detected = cont
		}
	}
	isMessage := cont == "" && (det == filetype.Unknown || det == filetype.Text) && looksMessage(data)
	if isMessage {
		detected = "message"
	}
	if detected == filetype.Unknown {
		if h := filetype.Hint(data); h != "application/octet-stream" && h != "text/plain" {
			detected = h
		} else if filetype.LooksText(data) {
			detected = filetype.Text
		}
	}
	var officeRep *office.Report
	if r.a.cfg.Office {
		switch {
		case det == filetype.OLE2:
			officeRep = office.AnalyzeOLE(data, office.Limits{MaxStream: int(min(r.a.cfg.MaxFileBytes, 64<<20)), Mem: r.budget})
		case ooxml:
			officeRep = office.AnalyzeOOXML(zr, office.Limits{MaxStream: int(min(r.a.cfg.MaxFileBytes, 64<<20)), Mem: r.budget})
		case det == filetype.RTF:
			officeRep = office.AnalyzeRTF(data, office.Limits{MaxStream: int(min(r.a.cfg.MaxFileBytes, 64<<20)), Mem: r.budget})
		case det == filetype.Unknown || det == filetype.Text || det == filetype.HTML || det == filetype.Script:
			officeRep = office.AnalyzeText(data, it.name)
		}
		if officeRep != nil && officeRep.Kind != "" && officeRep.Kind != "ole2" {
			detected = officeRep.Kind
		}
	}
	enc := it.encrypted || (officeRep != nil && officeRep.Encrypted) || (det == filetype.Zip && !ooxml && hasEncryptedHint(det, data))
	r.t.AddAttachment(pipeline.AttachmentInfo{Path: it.path, Name: it.name, DeclaredType: it.declared, DetectedType: detected,
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Encrypted: enc})

	r.names(it, detected)
	r.types(it, det, detected)
	if sig := testSignature(data, sum); sig != "" {
		r.t.Add(SymTestSignature, it.path+": "+sig)
	}

	if officeRep != nil {
		r.office(it, officeRep)
	}
	if filetype.Ext(it.name) == "url" {
		r.internetShortcut(it)
	}
	if det == filetype.PDF && r.a.cfg.PDF {
		r.pdf(it, data)
	}
	if det == filetype.LNK {
		r.shortcut(it)
	}
	if det == filetype.OneNote {
		r.oneNote(it)
	}
	if detected == "tnef" {
		r.tnef(it)
	}
	if filetype.IsArchive(det) && !ooxml {
		r.archive(it, det)
	}
	if cont != "" {
		r.container(it, cont)
	}
	if isMessage {
		r.message(it)
	}
	if det == filetype.HTML || det == filetype.Text || det == filetype.Script || det == filetype.Unknown && looksHTML(data) {
		r.smuggling(it)
	}
}

func hasZipFile(z *zip.Reader, name string) bool {
	for _, f := range z.File {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// names checks the file name for deceptions.
func (r *run) names(it item, detected string) {
	if it.name == "" {
		return
	}
	tr := filetype.Tricks(it.name)
	if tr.RLO {
		r.t.Add(SymRLOName, fmt.Sprintf("%s shown as %q", it.path, tr.ShownAs))
	}
	if tr.LongSpace {
		r.t.Add(SymLongSpaceName, it.path)
	}
	if tr.DoubleExt {
		r.t.Add(SymDoubleExt, fmt.Sprintf("%s: .%s.%s", it.path, tr.InnerExt, tr.RealExt))
	}
	if tr.Dangerous != "" && tr.RealExt != "url" {
		r.t.Add(SymDangerousExt, fmt.Sprintf("%s: .%s (%s)", it.path, tr.RealExt, tr.Dangerous))
	}
}

// types compares the true type with the name and declared MIME type.
func (r *run) types(it item, det, detected string) {
	ext := filetype.Ext(it.name)
	switch {
	case filetype.IsExecutable(det):
		r.t.Add(SymExecutable, it.path+": "+det)
		if it.inArchive {
			r.t.Add(SymExecutableInArchive, it.path)
		}
		if !execExt(ext) || declaredHarmless(it.declared) {
			r.t.Add(SymDisguisedExecutable, fmt.Sprintf("%s: %s named %q (%s)", it.path, det, it.name, it.declared))
		}
		return
	case filetype.IsDiskImage(det):
		r.t.Add(SymDiskImage, it.path+": "+det)
	case det == filetype.LNK || det == filetype.CHM || det == filetype.OneNote || detected == "msi" || detected == "jar" || det == filetype.Class:
		r.t.Add(SymDangerousType, it.path+": "+detected)
	}
	if mimeLies(it.declared, det) {
		r.t.Add(SymTypeMismatch, fmt.Sprintf("%s: declared %s is %s", it.path, it.declared, detected))
	}
	if !filetype.ExtMatches(ext, det) && !(det == filetype.Zip && (detected == "ooxml" || strings.HasPrefix(detected, "doc") || strings.HasPrefix(detected, "xls") || strings.HasPrefix(detected, "ppt"))) {
		r.t.Add(SymTypeMismatch, fmt.Sprintf("%s: .%s is %s", it.path, ext, detected))
	}
}

// mimeLies reports a declared MIME type that clearly contradicts the
// content (mislabelled images among themselves are not reported).
func mimeLies(ct, det string) bool {
	if det == filetype.Unknown || ct == "" {
		return false
	}
	switch {
	case ct == "application/pdf":
		return det != filetype.PDF
	case ct == "application/zip" || ct == "application/x-zip-compressed":
		return det != filetype.Zip
	case strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/"):
		return filetype.IsArchive(det) || det == filetype.OLE2 || det == filetype.PDF || det == filetype.RTF ||
			det == filetype.LNK || det == filetype.CHM || det == filetype.OneNote || filetype.IsDiskImage(det)
	}
	return false
}

func execExt(ext string) bool {
	switch ext {
	case "exe", "dll", "scr", "com", "pif", "cpl", "ocx", "sys", "drv", "bin", "elf", "so", "efi", "msi":
		return true
	}
	return false
}

func declaredHarmless(ct string) bool {
	return strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "text/") || ct == "application/pdf" ||
		strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/") || strings.Contains(ct, "word") || strings.Contains(ct, "excel")
}

func (r *run) child(it item, name string, data []byte, encrypted bool) {
	clean := strings.TrimLeft(strings.ReplaceAll(name, "\\", "/"), "/")
	if clean == "" {
		clean = "(unnamed)"
	}
	r.file(item{path: it.path + "/" + clean, name: path.Base(clean), data: data, depth: it.depth + 1,
		inArchive: true, encrypted: encrypted, fromPart: it.fromPart})
}

// archive walks an archive's entries.
func (r *run) archive(it item, kind string) {
	// Past max_depth only a chain of archives holding one file each is
	// followed (gz→tar→gz…: linear cost), up to max_chain_depth.
	deep := it.depth >= r.a.cfg.MaxDepth
	if deep && it.depth >= r.a.cfg.MaxChainDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	if it.inArchive {
		r.t.Add(SymArchiveNested, it.path)
	}
	var pws []string
	if kind == filetype.Zip || kind == filetype.SevenZip || kind == filetype.Rar {
		if hasEncryptedHint(kind, it.data) {
			pws = r.passwords()
		}
	}
	opt := archive.Options{MaxFileBytes: r.a.cfg.MaxFileBytes, MaxFiles: r.a.cfg.MaxFiles, Passwords: pws, Budget: r.budget, Ctx: r.ctx}
	single := kind == filetype.Gzip || kind == filetype.Bzip2 || kind == filetype.XZ
	handle := func(e *archive.Entry) error {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		name := e.Name
		if single && name == "" {
			name = archive.InnerName(it.name)
		}
		p := it.path + "/" + name
		if e.Hidden {
			r.t.Add(SymArchiveHidden, p)
		}
		if e.Encrypted {
			if e.Data == nil {
				r.t.Add(SymArchiveEncrypted, p)
				// Even unopened, the listing tells what is inside.
				r.names(item{path: p, name: path.Base(name)}, "")
				return nil
			}
			if e.Password != "" {
				r.t.Logger.Info("encrypted archive opened with a password from the message", "path", it.path)
				r.t.Add(SymArchivePasswordText, fmt.Sprintf("%s opened with a password from the message", it.path))
				if len(r.decrypted) < 100 {
					r.decrypted = append(r.decrypted, Decrypted{Path: p, Data: e.Data})
				}
			}
		}
		if e.Err != nil && e.Data == nil {
			if errors.Is(e.Err, archive.ErrUnsupported) {
				r.t.Add(SymArchiveUnsupported, p)
			} else if !errors.Is(e.Err, archive.ErrBudget) {
				r.t.Add(SymArchiveCorrupt, p)
			}
			r.names(item{path: p, name: path.Base(name)}, "")
			return nil
		}
		if !r.budget.Busy && r.isBomb(e) {
			r.t.Add(SymArchiveBomb, fmt.Sprintf("%s: %d bytes from %d", p, max(e.Size, int64(len(e.Data))), e.CompSize))
		}
		r.child(it, name, e.Data, e.Encrypted)
		return nil
	}
	var err error
	if deep {
		// Read the first member, and stop at a second one.
		var only *archive.Entry
		err = archive.Walk(kind, it.data, opt, func(e *archive.Entry) error {
			if only != nil {
				return errChainBranches
			}
			only = e
			return nil
		})
		if errors.Is(err, errChainBranches) {
			r.t.Add(SymArchiveTooDeep, it.path+": more than one file past the depth limit")
			return
		}
		if only != nil {
			if herr := handle(only); herr != nil && err == nil {
				err = herr
			}
		}
	} else {
		err = archive.Walk(kind, it.data, opt, handle)
	}
	switch {
	case err == nil:
	case errors.Is(err, archive.ErrTooManyFiles):
		r.t.Add(SymArchiveTooMany, it.path)
	case errors.Is(err, archive.ErrBudget) && r.budget.Busy:
		// not a bomb: all scans together are at their bound (Analyze tempfails)
	case errors.Is(err, archive.ErrBudget):
		r.t.Add(SymArchiveBomb, it.path+": total expansion limit reached")
	case errors.Is(err, archive.ErrUnsupported):
		r.t.Add(SymArchiveUnsupported, it.path)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	default:
		r.t.Add(SymArchiveCorrupt, it.path)
	}
}

// errChainBranches stops the walk of an archive past max_depth at its
// second member.
var errChainBranches = errors.New("attach: archive past the depth limit has more than one member")

func (r *run) isBomb(e *archive.Entry) bool {
	n := int64(len(e.Data))
	if e.Truncated && (e.Size > r.a.cfg.MaxFileBytes || e.Size < 0 || e.CompSize > 0 && float64(n)/float64(e.CompSize) > r.a.cfg.MaxRatio) {
		return true
	}
	if e.Size > r.a.cfg.MaxTotalBytes && e.CompSize >= 0 && e.CompSize < e.Size/int64(max(r.a.cfg.MaxRatio, 2)) {
		return true
	}
	return e.CompSize > 0 && n > 1<<20 && float64(n)/float64(e.CompSize) > r.a.cfg.MaxRatio
}

// hasEncryptedHint avoids collecting passwords for plain archives.
func hasEncryptedHint(kind string, b []byte) bool {
	switch kind {
	case filetype.Zip:
		// any local header with the encryption bit
		for off := 0; off+8 <= len(b); {
			i := bytes.Index(b[off:], []byte("PK\x03\x04"))
			if i < 0 {
				return false
			}
			off += i
			if off+8 <= len(b) && b[off+6]&1 != 0 {
				return true
			}
			off += 4
		}
		return false
	}
	return true
}

// office turns an Office report into symbols and recurses into embeds.
func (r *run) office(it item, rep *office.Report) {
	p := it.path
	switch rep.Macro.Class {
	case office.MacroAutoExecSuspicious:
		r.t.Add(SymVBAAutoExecSuspicious, fmt.Sprintf("%s: %s calls %s", p, strings.Join(first(rep.Macro.AutoExec, 3), ","), strings.Join(first(rep.Macro.Suspicious, 5), ",")))
	case office.MacroAutoExec:
		r.t.Add(SymVBAAutoExec, fmt.Sprintf("%s: %s", p, strings.Join(first(rep.Macro.AutoExec, 3), ",")))
	case office.MacroPresent:
		if len(rep.Macro.Suspicious) > 0 {
			r.t.Add(SymVBASuspicious, fmt.Sprintf("%s: %s", p, strings.Join(first(rep.Macro.Suspicious, 5), ",")))
		}
	}
	if rep.VBA && rep.Macro.RunsCode() && rep.Macro.Class != office.MacroAutoExecSuspicious {
		// No Auto_Open or Document_Open, but code that starts programs or
		// downloads: a button, a form control's Change or any event, or
		// the user's "Enable content" then Alt-F8, starts it.
		how := "a macro the reader runs"
		if len(rep.Macro.Triggers) > 0 {
			how = strings.Join(first(rep.Macro.Triggers, 3), ",")
		}
		r.t.Add(SymVBAExecCapability, fmt.Sprintf("%s: %s (started by %s; calls %s)", p, strings.Join(rep.Macro.Capabilities, ","), how,
			strings.Join(first(rep.Macro.Suspicious, 5), ",")))
	}
	if rep.VBA {
		r.t.Add(SymVBAPresent, p)
	}
	if len(rep.Macro.Obfuscation) > 0 {
		r.t.Add(SymVBAObfuscated, p+": "+strings.Join(rep.Macro.Obfuscation, ", "))
	}
	if rep.XLM {
		r.t.Add(SymXLM, p+": "+strings.Join(first(append(rep.XLMSheets, rep.XLMCalls...), 6), ","))
	}
	if rep.XLMHidden {
		r.t.Add(SymXLMHidden, p)
	}
	if rep.XLMAutoOpen {
		r.t.Add(SymXLMAutoOpen, p)
	}
	ext := filetype.Ext(it.name)
	if (rep.VBA || rep.XLM) && it.name != "" {
		switch ext {
		case "docx", "xlsx", "pptx", "pdf", "txt", "jpg", "png", "csv":
			r.t.Add(SymMacroRenamed, fmt.Sprintf("%s: %s named .%s", p, rep.Kind, ext))
		}
	}
	if rep.Encrypted {
		r.t.Add(SymOfficeEncrypted, p+": "+rep.EncryptionType)
	}
	if rep.DefaultPassword {
		r.t.Add(SymOfficeDefaultPassword, p)
	}
	if len(rep.DDE) > 0 {
		r.t.Add(SymDDE, p+": "+rep.DDE[0])
	}
	if len(rep.RemoteTemplate) > 0 {
		r.t.Add(SymRemoteTemplate, p+": "+rep.RemoteTemplate[0])
	}
	if len(rep.OLEPackage) > 0 {
		r.t.Add(SymOLEPackage, p+": "+strings.Join(first(rep.OLEPackage, 3), ","))
	}
	var runs []string
	for _, c := range rep.OLEPackageCommand {
		runs = append(runs, "command "+strconvQuote(c))
	}
	for _, n := range rep.OLEPackage {
		if filetype.DangerousExt(filetype.Ext(n)) != "" {
			runs = append(runs, "file "+strconvQuote(n))
		}
	}
	if len(runs) > 0 {
		r.t.Add(SymOLEPackageExec, p+": "+strings.Join(first(runs, 3), ", "))
	}
	if len(rep.RTFObjects) > 0 {
		r.t.Add(SymRTFObject, p+": "+strings.Join(first(rep.RTFObjects, 3), ","))
	}
	if rep.RTFExploitable {
		r.t.Add(SymRTFExploit, p+": "+orDefault(rep.RTFExploitClass, "exploit-prone class"))
	}
	r.addURLs(rep.URLs, "office", it.fromPart)
	for _, e := range rep.Embedded {
		if it.depth >= r.a.cfg.MaxDepth {
			r.t.Add(SymArchiveTooDeep, it.path)
			break
		}
		r.child(it, e.Name, e.Data, false)
	}
}

func strconvQuote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strconv.Quote(s)
}

func first(ss []string, n int) []string {
	if len(ss) > n {
		return ss[:n]
	}
	return ss
}

func (r *run) pdf(it item, data []byte) {
	rep := pdf.Scan(data, pdf.Limits{MaxStream: r.a.cfg.MaxPDFStreamBytes, MaxTotal: min(r.a.cfg.MaxFileBytes, r.budget.Left), Mem: r.budget})
	p := it.path
	if rep.JavaScript {
		r.t.Add(SymPDFJavaScript, p)
	}
	if len(rep.JSSuspicious) > 0 {
		r.t.Add(SymPDFJSSuspicious, p+": "+strings.Join(first(rep.JSSuspicious, 5), ","))
	}
	if rep.AutoAction {
		r.t.Add(SymPDFAutoAction, p)
	} else if rep.OpenAction || rep.AA {
		r.t.Add(SymPDFOpenAction, p)
	}
	if rep.Launch {
		r.t.Add(SymPDFLaunch, p+": "+strings.Join(first(rep.LaunchTarget, 2), ","))
	}
	if rep.EmbeddedFile {
		r.t.Add(SymPDFEmbeddedFile, p)
	}
	if rep.Encrypted {
		r.t.Add(SymPDFEncrypted, p)
	}
	if len(rep.ObfuscatedNames) > 0 {
		r.t.Add(SymPDFObfuscatedNam, p+": "+strings.Join(first(rep.ObfuscatedNames, 3), ","))
	}
	if n := r.addURLs(rep.URIs, "pdf", it.fromPart); n > 0 {
		r.t.Add(SymPDFURI, fmt.Sprintf("%s: %d links", p, n))
	}
	for _, e := range rep.Embedded {
		if it.depth >= r.a.cfg.MaxDepth {
			r.t.Add(SymArchiveTooDeep, it.path)
			break
		}
		name := e.Name
		if name == "" {
			name = "embedded"
		}
		r.child(it, name, e.Data, false)
	}
}

// addURLs hands links from documents to the URL analyzer.
func (r *run) addURLs(raw []string, source, part string) int {
	var us []mail.URL
	for _, s := range raw {
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			continue
		}
		sch := strings.ToLower(u.Scheme)
		if sch != "http" && sch != "https" && sch != "ftp" && sch != "mailto" && sch != "file" {
			continue
		}
		us = append(us, mail.URL{Raw: s, Scheme: sch, Host: strings.ToLower(u.Hostname()), Source: source, Part: part})
	}
	if len(us) > 0 {
		r.t.AddURLs(us...)
	}
	return len(us)
}

// internetShortcut judges a .url file: a plain web link is handed to the
// URL analyzer; a target on a file share, a file: URL or a program is a
// dangerous shortcut (CVE-2024-21412 style).
func (r *run) internetShortcut(it item) {
	target := ""
	for _, line := range strings.Split(string(it.data[:min(len(it.data), 64<<10)]), "\n") {
		line = strings.TrimSpace(line)
		if len(line) > 4 && strings.EqualFold(line[:4], "URL=") {
			target = line[4:]
			break
		}
	}
	lt := strings.ToLower(target)
	switch {
	case target == "":
		r.t.Add(SymDangerousExt, it.path+": .url without a web link")
	case strings.HasPrefix(lt, "http://") || strings.HasPrefix(lt, "https://"):
		if e := filetype.Ext(strings.SplitN(strings.SplitN(lt, "?", 2)[0], "#", 2)[0]); filetype.DangerousExt(e) != "" {
			r.t.Add(SymDangerousExt, fmt.Sprintf("%s: .url to a .%s file", it.path, e))
		}
		r.addURLs([]string{target}, "attachment", it.fromPart)
	default:
		r.t.Add(SymDangerousExt, fmt.Sprintf("%s: .url to %q", it.path, first([]string{target}, 1)[0]))
	}
}

// lolbins are programs a shortcut should not start from a mail: command
// interpreters and the system tools attackers "live off" to download and
// run code.
var lolbins = map[string]bool{
	"cmd.exe": true, "powershell.exe": true, "pwsh.exe": true, "mshta.exe": true, "wscript.exe": true,
	"cscript.exe": true, "rundll32.exe": true, "regsvr32.exe": true, "msiexec.exe": true, "certutil.exe": true,
	"bitsadmin.exe": true, "curl.exe": true, "forfiles.exe": true, "conhost.exe": true, "wmic.exe": true,
	"schtasks.exe": true, "hh.exe": true, "msbuild.exe": true, "installutil.exe": true, "regasm.exe": true,
	"odbcconf.exe": true, "pcalua.exe": true, "explorer.exe": true, "ftp.exe": true, "finger.exe": true,
	"cmstp.exe": true, "msdt.exe": true, "bash.exe": true, "wsl.exe": true, "tar.exe": true, "expand.exe": true,
}

// shortcut judges a .lnk: what it starts, with what arguments.
func (r *run) shortcut(it item) {
	l, err := lnk.Parse(it.data)
	if err != nil {
		return
	}
	target := strings.ToLower(strings.ReplaceAll(l.Target, "/", `\`))
	if i := strings.LastIndexByte(target, '\\'); i >= 0 {
		target = target[i+1:]
	}
	args := strings.TrimSpace(l.Arguments)
	// The arguments may name the program too (a target of "%COMSPEC%").
	prog := target
	if !lolbins[prog] {
		for _, f := range strings.Fields(strings.ToLower(args)) {
			f = strings.Trim(f, `"'`)
			if j := strings.LastIndexByte(f, '\\'); j >= 0 {
				f = f[j+1:]
			}
			if lolbins[f] || lolbins[f+".exe"] {
				prog = f
				break
			}
		}
	}
	if strings.HasPrefix(target, "%comspec%") {
		prog = "cmd.exe"
	}
	ev := it.path + ": " + l.Target
	if args != "" {
		ev += " " + args
	}
	if len(ev) > 300 {
		ev = ev[:300] + "…"
	}
	if lolbins[prog] || lolbins[prog+".exe"] {
		if l.ShowCommand == 7 {
			ev += " (window minimised)"
		}
		r.t.Add(SymLNKCommand, ev)
	}
	if lead := len(l.Arguments) - len(strings.TrimLeft(l.Arguments, " \t\r\n")); lead >= 32 || len(l.Arguments) > 1024 {
		r.t.Add(SymLNKPaddedArgs, fmt.Sprintf("%s: %d characters of arguments, %d of them leading blanks", it.path, len(l.Arguments), lead))
	}
	if urls := reURLInArgs.FindAllString(l.Arguments, 10); len(urls) > 0 {
		r.addURLs(urls, "attachment", it.fromPart)
	}
}

var reURLInArgs = regexp.MustCompile(`(?i)\bhttps?://[^\s"'<>]+`)

// oneNote opens the files embedded in a OneNote section as children (as
// an archive's entries) and flags embedded scripts and programs.
func (r *run) oneNote(it item) {
	if it.depth >= r.a.cfg.MaxDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	files, _ := onenote.Embedded(it.data, max(r.a.cfg.MaxFiles, 1), r.a.cfg.MaxFileBytes)
	for i, f := range files {
		det := filetype.Detect(f.Data)
		switch {
		case filetype.IsExecutable(det) || det == filetype.LNK || det == filetype.Script || looksScript(f.Data):
			r.t.Add(SymOneNoteCode, fmt.Sprintf("%s: embedded file %d is %s", it.path, i+1, scriptKind(det, f.Data)))
		}
		r.child(it, fmt.Sprintf("embedded-%d", i+1), f.Data, false)
	}
}

// tnef opens an Outlook winmail.dat: its files are analysed like an
// archive's entries.
func (r *run) tnef(it item) {
	if it.depth >= r.a.cfg.MaxDepth {
		r.t.Add(SymArchiveTooDeep, it.path)
		return
	}
	files, truncated, _ := tnef.Attachments(it.data, max(r.a.cfg.MaxFiles, 1), r.a.cfg.MaxFileBytes)
	if truncated {
		r.t.Add(SymArchiveCorrupt, it.path+": TNEF cut short, or more or larger files than are opened")
	}
	for i, f := range files {
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		r.child(it, name, f.Data, false)
	}
}

// scriptMarkers are strings that make an embedded text a script.
var scriptMarkers = []string{"<hta:application", "wscript.shell", "createobject(", "powershell", "@echo off",
	"cmd /c", "cmd.exe /c", "shell.application", "start-process", "invoke-webrequest", "downloadfile(",
	"<script", "activexobject", "regsvr32", "rundll32", "mshta"}

func looksScript(b []byte) bool {
	if len(b) > 1<<20 {
		b = b[:1<<20]
	}
	low := bytes.ToLower(b)
	for _, m := range scriptMarkers {
		if bytes.Contains(low, []byte(m)) {
			return true
		}
	}
	return false
}

func scriptKind(det string, b []byte) string {
	if det != filetype.Unknown && det != filetype.Text && det != filetype.HTML {
		return det
	}
	low := bytes.ToLower(b[:min(len(b), 1<<20)])
	switch {
	case bytes.Contains(low, []byte("<hta:application")) || bytes.Contains(low, []byte("<script")):
		return "an HTML application or script page"
	case bytes.Contains(low, []byte("@echo off")) || bytes.Contains(low, []byte("cmd /c")):
		return "a batch script"
	case bytes.Contains(low, []byte("powershell")) || bytes.Contains(low, []byte("invoke-webrequest")):
		return "a PowerShell command"
	}
	return "a script"
}
