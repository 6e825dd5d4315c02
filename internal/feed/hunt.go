package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/sekisho/sekisho/internal/config"
	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// MaxHunt bounds the stored messages one retro-hunt reads.
const MaxHunt = 100000

// Hunt searches the scan history and quarantine (newest first, at most
// max messages received at or after since) for the indicators of m. A
// stored message with its raw bytes is parsed again, so every observable
// (Reply-To, Received hops, MD5/SHA-1 of attachments) is matched; one
// without raw bytes is matched on what its record keeps: envelope sender,
// From, client address, links and attachment SHA-256.
func Hunt(ctx context.Context, q *quarantine.Store, m *Matcher, limits mail.Limits, since time.Time, max int) ([]Match, error) {
	if m == nil || m.Len() == 0 {
		return nil, nil
	}
	if max <= 0 || max > MaxHunt {
		max = MaxHunt
	}
	// No placeholders: the two values are numbers, and the query then
	// reads the same on SQLite and PostgreSQL.
	rows, err := q.DB().QueryContext(ctx, fmt.Sprintf(`SELECT id, kind, received_at, message_id, subject, from_addr, mail_from, client_ip, urls, attachments,
		CASE WHEN raw IS NULL THEN 0 ELSE 1 END FROM messages WHERE received_at >= %d ORDER BY received_at DESC LIMIT %d`, since.UnixMilli(), max))
	if err != nil {
		return nil, fmt.Errorf("feed: hunt: %w", err)
	}
	type rec struct {
		id, kind, msgID, subject, from, mailFrom, client, urls, atts string
		received                                                     int64
		hasRaw                                                       int
	}
	var recs []rec
	for rows.Next() {
		var r rec
		if err := rows.Scan(&r.id, &r.kind, &r.received, &r.msgID, &r.subject, &r.from, &r.mailFrom, &r.client, &r.urls, &r.atts, &r.hasRaw); err != nil {
			rows.Close()
			return nil, fmt.Errorf("feed: hunt: %w", err)
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feed: hunt: %w", err)
	}
	now := Now()
	var out []Match
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		src := Source{MailFrom: r.mailFrom}
		if a, err := netip.ParseAddr(r.client); err == nil {
			src.ClientIP = a
		}
		if r.hasRaw == 1 {
			if raw, err := q.Get(ctx, r.id); err == nil {
				src.Msg = mail.Parse(raw, limits)
			}
		}
		if src.Msg == nil {
			var us []quarantine.URLInfo
			_ = json.Unmarshal([]byte(r.urls), &us)
			for _, u := range us {
				src.URLs = append(src.URLs, u.URL)
			}
			var as []struct {
				SHA256 string `json:"sha256"`
			}
			_ = json.Unmarshal([]byte(r.atts), &as)
			for _, a := range as {
				if a.SHA256 != "" {
					src.SHA256 = append(src.SHA256, a.SHA256)
				}
			}
			if r.from != "" {
				src.From = []string{r.from}
			}
		}
		sender := r.from
		if sender == "" {
			sender = r.mailFrom
		}
		for _, h := range m.Match(Observables(src), now) {
			out = append(out, Match{StoreID: r.id, MsgKind: r.kind, MessageID: r.msgID, Received: time.UnixMilli(r.received),
				Subject: r.subject, Sender: sender, Feed: h.Feed, Ref: h.Ref, Kind: h.Kind, Value: h.Value, Where: h.Where, Found: now})
		}
	}
	return out, nil
}

// MailLimits are the parser limits of a configuration (as the engine
// uses them) for re-parsing stored messages.
func MailLimits(cfg *config.Config) mail.Limits {
	l := cfg.Limits
	return mail.Limits{MaxSize: l.MaxMessageBytes, MaxParts: l.MaxParts, MaxDepth: l.MaxDepth, MaxHeaders: l.MaxHeaders,
		MaxURLs: l.MaxURLs, MaxHeaderBytes: l.MaxHeaderBytes, MaxTextBytes: l.MaxTextBytes}
}

// HuntNew hunts for indicators just added (by feed) and records the
// matches in the feed store; it returns the new matches.
func HuntNew(ctx context.Context, st *Store, q *quarantine.Store, limits mail.Limits, added map[string][]Indicator) ([]Match, error) {
	n := 0
	for _, v := range added {
		n += len(v)
	}
	if n == 0 {
		return nil, nil
	}
	ms, err := Hunt(ctx, q, NewMatcher(added), limits, time.Time{}, MaxHunt)
	if err != nil {
		return nil, err
	}
	if _, err := st.AddMatches(ctx, ms); err != nil {
		return nil, err
	}
	return ms, nil
}
