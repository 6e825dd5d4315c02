package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/mailsrc"
	"github.com/sekisho/sekisho/internal/pipeline"
	"golang.org/x/term"
)

// ScanCmd scans messages and prints verdicts.
type ScanCmd struct {
	Paths []string `arg:"" help:"Files, directories, Maildirs, mbox files, or - for stdin." default:"-"`
	JSON  bool     `help:"Print one JSON object per line and message."`
	Lang  string   `help:"Language of explanations in human output: en or ja (default: from LANG)." enum:",en,ja" default:""`
	Quiet bool     `short:"q" help:"Human output: one line per message."`
}

// ScanJSON is the --json object for one message. Field names are a
// contract: scripts and other tools read them.
type ScanJSON struct {
	File          string                    `json:"file"`
	ID            string                    `json:"id"`
	MessageID     string                    `json:"message_id"`
	Subject       string                    `json:"subject"`
	From          string                    `json:"from"`
	Action        pipeline.Action           `json:"action"`
	Category      pipeline.Category         `json:"category"`
	Score         float64                   `json:"score"`
	RequiredScore float64                   `json:"required_score"`
	Symbols       []SymbolJSON              `json:"symbols"`
	Explanation   string                    `json:"explanation"`
	ExplanationJA string                    `json:"explanation_ja"`
	SubjectPrefix string                    `json:"subject_prefix,omitempty"`
	Attachments   []pipeline.AttachmentInfo `json:"attachments,omitempty"`
	URLs          []string                  `json:"urls,omitempty"`
	ScanMS        float64                   `json:"scan_ms"`
	Error         string                    `json:"error,omitempty"`
}

// SymbolJSON is one symbol in ScanJSON.
type SymbolJSON struct {
	Name          string   `json:"name"`
	Score         float64  `json:"score"`
	Options       []string `json:"options"`
	Description   string   `json:"description"`
	DescriptionJA string   `json:"description_ja"`
}

func toJSON(file string, r *pipeline.Result) ScanJSON {
	v := r.Verdict
	out := ScanJSON{
		File: file, ID: r.ID, MessageID: r.Msg.MessageID, Subject: r.Msg.Subject, From: r.Msg.FromHeader,
		Action: v.Action, Category: v.Category, Score: v.Score, RequiredScore: v.RequiredScore,
		Explanation: v.Explanation, ExplanationJA: v.ExplanationJA, SubjectPrefix: v.SubjectPrefix,
		Attachments: v.Attachments, ScanMS: float64(r.Duration.Microseconds()) / 1000,
		Symbols: make([]SymbolJSON, 0, len(v.Symbols)),
	}
	for _, s := range v.Symbols {
		out.Symbols = append(out.Symbols, SymbolJSON{Name: s.Name, Score: s.Score, Options: s.Options, Description: s.EN, DescriptionJA: s.JA})
	}
	seen := map[string]bool{}
	for _, u := range r.URLs {
		if !seen[u.Raw] && len(out.URLs) < 100 {
			seen[u.Raw] = true
			out.URLs = append(out.URLs, u.Raw)
		}
	}
	return out
}

// Run implements the command.
func (c ScanCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	eng, err := g.Engine(cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	ja := c.Lang == "ja" || c.Lang == "" && strings.HasPrefix(os.Getenv("LANG"), "ja")
	color := !c.JSON && term.IsTerminal(int(os.Stdout.Fd()))
	failed := 0
	err = mailsrc.Walk(c.Paths, func(it mailsrc.Item) error {
		if it.Err != nil {
			failed++
			if c.JSON {
				b, _ := json.Marshal(ScanJSON{File: it.Name, Error: it.Err.Error(), Symbols: []SymbolJSON{}})
				w.Write(append(b, '\n'))
			} else {
				fmt.Fprintf(os.Stderr, "sekisho: %s: %v\n", it.Name, it.Err)
			}
			return nil
		}
		r := eng.Scan(context.Background(), it.Raw, pipeline.Envelope{Frontend: pipeline.FrontendCLI})
		warnNotMail(it.Name, r)
		if c.JSON {
			b, err := json.Marshal(toJSON(it.Name, r))
			if err != nil {
				return err
			}
			w.Write(append(b, '\n'))
			return nil
		}
		printHuman(w, it.Name, r, ja, c.Quiet, color)
		return w.Flush()
	})
	if err != nil {
		return err
	}
	if failed > 0 {
		return exitError{code: 2, msg: fmt.Sprintf("%d message(s) could not be read", failed)}
	}
	return nil
}

func printHuman(w io.Writer, name string, r *pipeline.Result, ja, quiet, color bool) {
	v := r.Verdict
	act := string(v.Action)
	if color {
		code := "32"
		switch v.Action {
		case pipeline.ActionTag:
			code = "33"
		case pipeline.ActionQuarantine, pipeline.ActionReject:
			code = "31;1"
		case pipeline.ActionTempfail:
			code = "35"
		}
		act = "\x1b[" + code + "m" + act + "\x1b[0m"
	}
	if quiet {
		fmt.Fprintf(w, "%s\t%s\t%s\t%.2f\t%s\n", name, act, v.Category, v.Score, r.Msg.Subject)
		return
	}
	fmt.Fprintf(w, "%s\n", name)
	fmt.Fprintf(w, "  Subject:  %s\n  From:     %s\n", oneLine(r.Msg.Subject), oneLine(r.Msg.FromHeader))
	fmt.Fprintf(w, "  Verdict:  %s, %s, score %.2f (reject at %.2f)\n", act, v.Category, v.Score, v.RequiredScore)
	for _, s := range v.Symbols {
		desc := s.EN
		if ja {
			desc = s.JA
		}
		opt := ""
		if len(s.Options) > 0 {
			opt = " [" + strings.Join(s.Options, ", ") + "]"
		}
		fmt.Fprintf(w, "  %7.2f  %s%s\n           %s\n", s.Score, s.Name, oneLine(opt), desc)
	}
	for _, a := range v.Attachments {
		fmt.Fprintf(w, "  file      %s  %s  %d bytes  sha256:%s\n", a.Path, a.DetectedType, a.Size, a.SHA256)
	}
	if ja {
		fmt.Fprintf(w, "  説明: %s\n\n", v.ExplanationJA)
	} else {
		fmt.Fprintf(w, "  Explanation: %s\n\n", v.Explanation)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// warnNotMail says on stderr when the input was no mail at all (empty,
// binary, no header field): the verdict is given anyway, with the
// MIME_NOT_MAIL finding, but a wrong file should not pass unnoticed.
func warnNotMail(name string, r *pipeline.Result) {
	for _, s := range r.Verdict.Symbols {
		if s.Name == mail.AnomalyNotMail {
			fmt.Fprintf(os.Stderr, "sekisho: %s: not mail (%s); scanned anyway, see MIME_NOT_MAIL\n", name, strings.Join(s.Options, ", "))
			return
		}
	}
}
