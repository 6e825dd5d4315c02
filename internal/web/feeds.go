package web

import (
	"net/http"
	"time"

	"github.com/sekisho/sekisho/internal/feed"
)

// Threat feeds page (admin only): each configured feed with its
// indicators and last update, and the retro-hunt matches recorded by
// serve and `sekisho feeds` — stored messages that carry an indicator
// that arrived after they were scanned — with a button that starts a
// (dry-run) remediation for their Message-IDs. See docs/feeds.md.

func (s *server) feedRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds", s.auth(s.admin(s.feedsPage)))
}

type feedRow struct {
	Name, Type, Source, LastError string
	Indicators, Errors            int64
	LastUpdate, LastOK            time.Time
}

type feedsView struct {
	Feeds      []feedRow
	Matches    []feed.Match
	MessageIDs []string
	CanRemove  bool
}

func (s *server) feedsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := feedsView{CanRemove: s.rem != nil}
	if len(s.cfg.Feeds) > 0 {
		st, err := feed.OpenStore(r.Context(), feed.StorePath(s.cfg.General.DataDir))
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		defer st.Close()
		states, err := st.States(r.Context())
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		for _, f := range s.cfg.Feeds {
			x := states[f.Name]
			src := f.URL
			if src == "" {
				src = f.Path
			}
			v.Feeds = append(v.Feeds, feedRow{Name: f.Name, Type: f.Type, Source: src, LastError: x.LastError, Indicators: x.Count,
				Errors: x.Errors, LastUpdate: x.LastUpdate, LastOK: x.LastOK})
		}
		if v.Matches, err = st.Matches(r.Context(), time.Time{}, 500); err != nil {
			s.internal(w, r, c, err)
			return
		}
		seen := map[string]bool{}
		for _, m := range v.Matches {
			if m.MessageID != "" && !seen[m.MessageID] && len(v.MessageIDs) < 200 {
				seen[m.MessageID] = true
				v.MessageIDs = append(v.MessageIDs, m.MessageID)
			}
		}
	}
	p := s.page(r, c, "feeds")
	p.Data = v
	s.render(w, "feeds", p)
}

func init() {
	for k, v := range map[string][2]string{
		"nav.feeds":         {"Feeds", "脅威フィード"},
		"feeds.title":       {"Threat feeds and retro-hunt", "脅威フィードと遡及検索"},
		"feeds.none":        {"No feeds configured: add [[feeds]] tables (docs/feeds.md).", "フィードが設定されていません。[[feeds]] を追加してください(docs/feeds.md)。"},
		"feeds.name":        {"Feed", "フィード"},
		"feeds.type":        {"Type", "種類"},
		"feeds.source":      {"Source", "取得元"},
		"feeds.indicators":  {"Indicators", "インジケーター数"},
		"feeds.last_update": {"Last update", "最終更新"},
		"feeds.last_ok":     {"Last success", "最終成功"},
		"feeds.errors":      {"Errors", "エラー"},
		"feeds.matches":     {"Retro-hunt matches", "遡及検索の一致"},
		"feeds.no_matches":  {"No stored message carries a feed indicator that arrived after it was scanned.", "スキャン後に追加されたインジケーターに一致する保存メッセージはありません。"},
		"feeds.found":       {"Found", "検出日時"},
		"feeds.received":    {"Received", "受信日時"},
		"feeds.message":     {"Message", "メッセージ"},
		"feeds.indicator":   {"Indicator", "インジケーター"},
		"feeds.where":       {"Where", "検出箇所"},
		"feeds.remediate":   {"Find delivered copies (dry run)", "配信済みのコピーを検索(試行のみ)"},
	} {
		messages[k] = v
	}
}
