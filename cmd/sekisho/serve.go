package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/sekisho/sekisho/internal/action"
	"github.com/sekisho/sekisho/internal/action/banner"
	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/engine"
	"github.com/sekisho/sekisho/internal/frontend/api"
	flisten "github.com/sekisho/sekisho/internal/frontend/listen"
	"github.com/sekisho/sekisho/internal/frontend/milter"
	"github.com/sekisho/sekisho/internal/frontend/rspamd"
	"github.com/sekisho/sekisho/internal/frontend/smtpgw"
	"github.com/sekisho/sekisho/internal/frontend/spamd"
	"github.com/sekisho/sekisho/internal/pipeline"
	"github.com/sekisho/sekisho/internal/store/quarantine"
	"github.com/sekisho/sekisho/internal/web"
)

// ServeCmd runs the front ends.
type ServeCmd struct {
	Password string `help:"Require this password (header Password, or Authorization: Bearer) for learning and the JSON API." env:"SEKISHO_API_PASSWORD"`
}

type stopper interface {
	Shutdown(ctx context.Context) error
}

// Run implements the command.
func (c ServeCmd) Run(g *Globals) error {
	cfg, err := g.LoadConfig()
	if err != nil {
		return err
	}
	if !cfg.Serve.Enabled {
		return errors.New("serve: disabled in the configuration ([serve] enabled = false)")
	}
	log := g.Logger(cfg)
	// Libraries that use the standard log package log through slog.
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	prepareMemory(cfg, log)
	endProfile, err := startProfile()
	if err != nil {
		return err
	}
	defer endProfile()
	eng, err := engine.New(cfg, engine.Options{Logger: log})
	if err != nil {
		return err
	}
	defer eng.Close()
	store, err := quarantine.Open(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("serve: quarantine store: %w", err)
	}
	defer store.Close()
	stats := &action.Stats{}
	eng.Observe(stats.Observe)
	sealer, err := action.NewSealer(cfg)
	if err != nil {
		return err
	}
	closeReports, err := startDMARCReports(ctx, cfg, eng, log)
	if err != nil {
		return err
	}
	defer closeReports()
	hl := &health{store: store}
	recordHistory(cfg, eng, store, log)
	rem, closeRemediate, err := startRemediate(ctx, cfg, eng, store, log)
	if err != nil {
		return err
	}
	defer closeRemediate()
	closeFeeds, err := startFeeds(ctx, cfg, store, log)
	if err != nil {
		return err
	}
	defer closeFeeds()
	pd, closePD, err := startPostDelivery(ctx, cfg, eng, store, rem, log)
	if err != nil {
		return err
	}
	defer closePD()
	p := &action.Processor{Engine: eng, Store: store, Config: cfg, Log: log, Banner: banner.New(cfg).Apply, Sealer: sealer, Reports: pd.reports}
	flisten.InFlight.SetMax(cfg.Serve.MaxBytesInFlight)
	if lim := setMemoryLimit(cfg); lim > 0 {
		log.Info("soft memory limit", "bytes", lim)
	}
	releaseStartupMemory(log)

	type running struct {
		name string
		s    stopper
	}
	var (
		runs   []running
		errCh  = make(chan error, 8)
		wg     sync.WaitGroup
		listen = func(name, addr string) (net.Listener, error) {
			ln, err := listenTCP(addr)
			if err != nil {
				return nil, fmt.Errorf("serve: %s: listen %s: %w", name, addr, err)
			}
			log.Info("listening", "frontend", name, "addr", ln.Addr().String())
			return ln, nil
		}
		start = func(name string, s stopper, serve func() error) {
			runs = append(runs, running{name, s})
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
					errCh <- fmt.Errorf("serve: %s: %w", name, err)
				}
			}()
		}
		closeAll = func() {
			sctx, cancel := context.WithTimeout(context.Background(), cfg.Serve.ShutdownTimeout.Duration)
			defer cancel()
			var swg sync.WaitGroup
			for _, r := range runs {
				swg.Add(1)
				go func(r running) {
					defer swg.Done()
					if err := r.s.Shutdown(sctx); err != nil {
						log.Warn("shutdown", "frontend", r.name, "err", err)
					}
				}(r)
			}
			swg.Wait()
			p.Wait(sctx)
		}
	)
	fail := func(err error) error { closeAll(); return err }

	sc := cfg.Serve
	if sc.Milter.Enabled {
		ln, err := listen(pipeline.FrontendMilter, sc.Milter.Listen)
		if err != nil {
			return fail(err)
		}
		m := &milter.Server{P: p, Settings: sc.Milter}
		start(pipeline.FrontendMilter, m, func() error { return m.Serve(ln) })
	}
	if sc.SMTP.Enabled {
		ln, err := listen(pipeline.FrontendSMTP, sc.SMTP.Listen)
		if err != nil {
			return fail(err)
		}
		s := &smtpgw.Server{P: p, Settings: sc.SMTP}
		start(pipeline.FrontendSMTP, s, func() error { return s.Serve(ln) })
	}
	if sc.Spamd.Enabled {
		ln, err := listen(pipeline.FrontendSpamd, sc.Spamd.Listen)
		if err != nil {
			return fail(err)
		}
		s := &spamd.Server{P: p, Settings: sc.Spamd, Stats: stats}
		start(pipeline.FrontendSpamd, s, func() error { return s.Serve(ln) })
	}
	apiKeys, err := api.LoadKeys(cfg.Web.APIKeys)
	if err != nil {
		return fail(err)
	}
	hosts := allowedHosts(cfg)
	httpServe := func(name string, fe config.ServeFrontend, h http.Handler, certs *certFiles) error {
		ln, err := listen(name, fe.Listen)
		if err != nil {
			return err
		}
		h = flisten.CheckHost(api.Guard(h, apiKeys), hosts)
		hs := httpServer(fe, h, log)
		if certs != nil {
			hs.TLSConfig = certs.tlsConfig()
			start(name, hs, func() error { return hs.ServeTLS(limitHTTP(ln, fe), "", "") })
			return nil
		}
		start(name, hs, func() error { return hs.Serve(limitHTTP(ln, fe)) })
		return nil
	}
	if sc.Rspamd.Enabled {
		mux := http.NewServeMux()
		(&rspamd.Handler{P: p, Settings: sc.Rspamd, Stats: stats, Password: c.Password}).Register(mux)
		(&api.Handler{P: p, Settings: sc.Rspamd, Stats: stats, Password: c.Password}).Register(mux)
		hl.register(mux)
		if err := httpServe(pipeline.FrontendRspamd, sc.Rspamd, mux, nil); err != nil {
			return fail(err)
		}
	}
	// Console TLS: certificate and key files, read again on reload.
	var certs *certFiles
	if sc.Console.Enabled {
		if certs, err = newCertFiles(cfg); err != nil {
			return fail(fmt.Errorf("serve: %w", err))
		}
	}
	if sc.Console.Enabled {
		mux := http.NewServeMux()
		(&rspamd.Handler{P: p, Settings: sc.Console, Stats: stats, Password: c.Password}).Register(mux)
		(&api.Handler{P: p, Settings: sc.Console, Stats: stats, Password: c.Password}).Register(mux)
		wh, err := web.New(web.Options{Config: cfg, Engine: eng, Store: store, Logger: log, FirstAdminInBackground: true, Remediator: rem,
			Lists: pd.lists, Reports: pd.reports, Digest: pd.digest})
		if err != nil {
			return fail(fmt.Errorf("serve: console: %w", err))
		}
		hl.register(mux)
		mux.Handle("/", flisten.BoundBodies(wh, cfg.Web.MaxFormBytes, flisten.InFlight))
		if err := httpServe("console", sc.Console, mux, certs); err != nil {
			return fail(err)
		}
	}
	if len(runs) == 0 {
		return errors.New("serve: every front end is disabled")
	}
	pd.start()
	// SIGHUP (or `sekisho reload`) reloads configuration, rules, lists
	// and weights; a configuration that does not load is refused and the
	// running one stays.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			reloadEngine(g, eng, log)
			if certs != nil {
				if err := certs.reload(); err != nil {
					log.Error("console certificate not reloaded: the previous one stays", "err", err)
				} else {
					log.Info("console certificate reloaded", "cert", certs.cert)
				}
			}
		}
	}()
	removePID := writePID(cfg.General.DataDir, log)
	defer removePID()
	hl.ready.Store(true)
	log.Info("sekisho serving", "version", version, "hostname", cfg.General.Hostname, "data_dir", cfg.General.DataDir)
	select {
	case <-ctx.Done():
		hl.stopping.Store(true)
		log.Info("shutting down: finishing messages in flight", "timeout", cfg.Serve.ShutdownTimeout.Duration)
		closeAll()
	case err := <-errCh:
		closeAll()
		return err
	}
	wg.Wait()
	log.Info("stopped")
	return nil
}
