package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// symbolTests lists the symbol-name tests in f outside the analyzers, the
// policy and the pipeline contract: a registered symbol name (a literal,
// or an analyzer package's Sym constant) compared with == or !=, used as
// a switch case, or asked for with Has. What a symbol means for the mail
// is declared on its SymbolDef and decided by the policy; the action
// step, front ends, cmd and observers read the verdict's typed fields
// (Action, Category, OutboundHold, Auth) instead. pipeline's own symbols
// (analyzer error, timeout) are the contract's and may be read.
func symbolTests(f *ast.File, registered func(string) bool) []ast.Node {
	analyzerPkgs := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if !strings.Contains(p, "/internal/analyzer/") {
			continue
		}
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		analyzerPkgs[name] = true
	}
	isName := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return e.Kind == token.STRING && err == nil && registered(s)
		case *ast.SelectorExpr:
			x, ok := e.X.(*ast.Ident)
			return ok && analyzerPkgs[x.Name] && strings.HasPrefix(e.Sel.Name, "Sym")
		}
		return false
	}
	var out []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (isName(n.X) || isName(n.Y)) {
				out = append(out, n)
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if isName(e) {
					out = append(out, e)
				}
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Has" && len(n.Args) == 1 && isName(n.Args[0]) {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

// TestNoSymbolNameDecisionsOutsidePolicy: outside the analyzers, the
// policy and the pipeline contract no code tests a verdict for a named
// symbol (the ARC sealer once chose cv= by "ARC_PASS"/"ARC_FAIL"; it reads
// the typed ARC result on Verdict.Auth now). Configured symbol lists
// ([serve.banner] symbols) are the administrator's choice and are matched
// by value, not named in code.
func TestNoSymbolNameDecisionsOutsidePolicy(t *testing.T) {
	registered := func(s string) bool { _, ok := pipeline.Lookup(s); return ok }
	if !registered("ARC_PASS") || !registered("FROM_FREEMAIL") {
		t.Fatal("the registry is empty: archtest must import every analyzer")
	}
	for _, g := range sources(t) {
		if under(g.rel, "internal/analyzer", "internal/policy", "internal/pipeline") {
			continue
		}
		for _, n := range symbolTests(g.f, registered) {
			t.Errorf("%s: a symbol name decides something outside the policy: read the verdict's typed fields, or declare the meaning on the SymbolDef",
				g.fset.Position(n.Pos()))
		}
	}
}

// TestSymbolTestsSeen guards TestNoSymbolNameDecisionsOutsidePolicy: the
// three shapes are found, a protocol word that is no symbol is not.
func TestSymbolTestsSeen(t *testing.T) {
	src := `package x
import (
	"github.com/sekisho/sekisho/internal/pipeline"
	authz "github.com/sekisho/sekisho/internal/analyzer/auth"
)
func f(v pipeline.Verdict, s pipeline.Symbol, cmd string) int {
	n := 0
	if s.Name == "ARC_PASS" { n++ }
	if authz.SymARCFail != s.Name { n++ }
	switch s.Name { case "DMARC_PASS": n++ }
	if v.Has("FROM_FREEMAIL") { n++ }
	switch cmd { case "REPORT_IFSPAM": n-- }
	return n
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	reg := map[string]bool{"ARC_PASS": true, "DMARC_PASS": true, "FROM_FREEMAIL": true}
	if got := symbolTests(f, func(s string) bool { return reg[s] }); len(got) != 4 {
		t.Fatalf("found %d symbol tests, want 4", len(got))
	}
}
