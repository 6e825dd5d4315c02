// Command sekisho is an email security gateway: it scans mail for spam,
// phishing, malware, business email compromise and fraud, and sits in the
// mail flow as a milter, an SMTP gateway, or in place of Rspamd or spamd.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/alecthomas/kong"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// CLI is the command line. Each command's Run lives in its own file.
type CLI struct {
	ConfigFile string `name:"config" short:"c" help:"Configuration file (TOML). Without it, the embedded defaults apply." type:"path" env:"SEKISHO_CONFIG"`
	DataDir    string `name:"data-dir" help:"Override general.data_dir." type:"path"`
	LogLevel   string `name:"log-level" help:"Override general.log_level (debug, info, warn, error, trace)."`

	Scan       ScanCmd       `cmd:"" help:"Scan messages (.eml files, directories, Maildirs, mbox files, or - for stdin)."`
	Eval       EvalCmd       `cmd:"" help:"Scan labelled ham and spam and report accuracy figures."`
	Train      TrainCmd      `cmd:"" help:"Train the statistical classifier from directories of ham and spam. Progress: a bar on a terminal, otherwise a plain line on stderr every --progress-every."`
	Tune       TuneCmd       `cmd:"" help:"Fit the symbol weights on labelled ham and spam and write a weights file ([policy] weights_file)."`
	Learn      LearnCmd      `cmd:"" help:"Teach the classifier single messages: learn spam|ham PATH..."`
	Serve      ServeCmd      `cmd:"" help:"Run the front ends: milter, SMTP gateway, Rspamd and spamd protocols, console and API."`
	User       UserCmd       `cmd:"" help:"Manage console accounts."`
	Quarantine QuarantineCmd `cmd:"" help:"List, show, release and delete quarantined messages."`
	Config     ConfigCmd     `cmd:"" help:"Print the example configuration or check a file."`
	Backup     BackupCmd     `cmd:"" help:"Copy the data directory (SQLite databases with VACUUM INTO, the classifier under its lock) while serve runs; PostgreSQL needs pg_dump."`
	Reload     ReloadCmd     `cmd:"" help:"Make a running serve reload its configuration, rules, lists and weights (SIGHUP); a bad configuration is refused."`
	DMARC      DMARCCmd      `cmd:"" name:"dmarc-report" help:"Build (and send) DMARC aggregate reports from what serve recorded ([auth] dmarc_reports)."`
	Remediate  RemediateCmd  `cmd:"" help:"Pull delivered mail back out of mailboxes over IMAP (run, list, show, apply, undo)."`
	Feeds      FeedsCmd      `cmd:"" help:"Threat feeds: list, update (fetch now), hunt (search history and quarantine for their indicators)."`
	Report     ReportCmd     `cmd:"" help:"Report-phish intake: list and show reports with their triage."`
	Digest     DigestCmd     `cmd:"" help:"Send recipients digests of their held mail with one-click links."`
	Symbols    SymbolsCmd    `cmd:"" help:"List every symbol with its weight and explanations."`
	Bench      BenchCmd      `cmd:"" help:"Measure the daemon's CPU per message, throughput and peak memory on a corpus through the Rspamd protocol (with --rspamd: side by side with Rspamd)."`
	Version    VersionCmd    `cmd:"" help:"Print the version."`
}

// Globals are what every command gets.
type Globals struct {
	cli *CLI
}

// LoadConfig loads the configuration with the command-line overrides.
func (g *Globals) LoadConfig() (*config.Config, error) {
	cfg, err := config.Load(g.cli.ConfigFile)
	if err != nil {
		return nil, err
	}
	if g.cli.DataDir != "" {
		cfg.General.DataDir = g.cli.DataDir
	}
	if g.cli.LogLevel != "" {
		cfg.General.LogLevel = g.cli.LogLevel
	}
	return cfg, nil
}

// Logger returns the process logger for a configuration.
func (g *Globals) Logger(cfg *config.Config) *slog.Logger {
	var lvl slog.Level
	switch cfg.General.LogLevel {
	case "debug", "trace":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.General.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Engine builds a scanning engine for a configuration.
func (g *Globals) Engine(cfg *config.Config) (*engine.Engine, error) {
	return engine.New(cfg, engine.Options{Logger: g.Logger(cfg)})
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("sekisho"),
		kong.Description("sekisho (関所): email security gateway."),
		kong.UsageOnError(),
		kong.Bind(&Globals{cli: &cli}),
	)
	if err := ctx.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "sekisho:", err)
		if ec, ok := err.(interface{ ExitCode() int }); ok {
			os.Exit(ec.ExitCode())
		}
		os.Exit(1)
	}
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run implements the command.
func (VersionCmd) Run() error {
	fmt.Println("sekisho", version)
	return nil
}

// exitError carries an exit code.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }
func (e exitError) ExitCode() int { return e.code }
