package web

import (
	"net/http"
	"strconv"

	"github.com/sekisho/sekisho/internal/store/fuzzystore"
	"github.com/sekisho/sekisho/internal/store/quarantine"
)

// Campaign page (admin only): the campaigns of the fuzzy-hash store
// ([fuzzy]) with their size, first and last seen, and actions on all the
// held copies of one: release them, delete them, or forget the campaign.
// See docs/fuzzy.md.

func (s *server) campaignRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /campaigns", s.auth(s.admin(s.campaignsPage)))
	mux.HandleFunc("POST /campaigns/{id}/release", s.auth(s.admin(s.campaignAct("release"))))
	mux.HandleFunc("POST /campaigns/{id}/delete", s.auth(s.admin(s.campaignAct("delete"))))
	mux.HandleFunc("POST /campaigns/{id}/forget", s.auth(s.admin(s.campaignAct("forget"))))
}

// campaignStore finds the store of the running fuzzy analyzer (nil when
// [fuzzy] is off).
func (s *server) campaignStore() *fuzzystore.Store {
	if s.eng == nil {
		return nil
	}
	for _, a := range s.eng.Analyzers() {
		if c, ok := a.(interface{ CampaignStore() *fuzzystore.Store }); ok {
			return c.CampaignStore()
		}
	}
	return nil
}

type campaignRow struct {
	fuzzystore.Campaign
	Known bool
}

type campaignsView struct {
	Enabled   bool
	Campaigns []campaignRow
	Msg, Err  string
	Count     string
}

func (s *server) campaignsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	v := campaignsView{Msg: q.Get("msg"), Err: q.Get("err"), Count: q.Get("n")}
	if _, err := strconv.Atoi(v.Count); err != nil {
		v.Count = ""
	}
	if st := s.campaignStore(); st != nil {
		v.Enabled = true
		cs, err := st.Campaigns(r.Context(), 200)
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		for _, x := range cs {
			v.Campaigns = append(v.Campaigns, campaignRow{Campaign: x, Known: x.Known(s.cfg.Fuzzy.HeldToKnown)})
		}
	}
	p := s.page(r, c, "campaigns")
	p.Data = v
	s.render(w, "campaigns", p)
}

// campaignAct releases or deletes every held copy of a campaign still in
// the quarantine, or forgets the campaign.
func (s *server) campaignAct(what string) func(http.ResponseWriter, *http.Request, *reqCtx) {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) {
		st := s.campaignStore()
		id := r.PathValue("id")
		if st == nil || len(id) > 64 {
			http.Redirect(w, r, "/campaigns", http.StatusSeeOther)
			return
		}
		camp, err := st.Campaign(r.Context(), id)
		if err != nil {
			http.Redirect(w, r, "/campaigns?err=notfound", http.StatusSeeOther)
			return
		}
		n, failed := 0, 0
		switch what {
		case "forget":
			if err := st.Delete(r.Context(), id); err != nil {
				s.internal(w, r, c, err)
				return
			}
		default:
			if s.st == nil {
				http.Redirect(w, r, "/campaigns?err=noquarantine", http.StatusSeeOther)
				return
			}
			msgs, err := s.st.ByScanIDs(r.Context(), camp.Scans)
			if err != nil {
				s.internal(w, r, c, err)
				return
			}
			for _, m := range msgs {
				if what == "release" && (!m.ReleasedAt.IsZero() || !m.HasRaw) {
					continue
				}
				if err := s.campaignOne(r, c, what, m); err != nil {
					failed++
					s.log.Error("campaign "+what, "campaign", id, "quarantine_id", m.ID, "msg_id", m.ScanID, "err", err)
					continue
				}
				n++
			}
		}
		_ = s.acc.Audit(r.Context(), c.sess.User.Name, "campaign-"+what, id, strconv.Itoa(n)+" messages, "+strconv.Itoa(failed)+" failed")
		s.log.Info("campaign "+what, "campaign", id, "user", c.sess.User.Name, "messages", n, "failed", failed)
		target := "/campaigns?msg=" + what + "&n=" + strconv.Itoa(n)
		if failed > 0 {
			target += "&err=partial"
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	}
}

func (s *server) campaignOne(r *http.Request, c *reqCtx, what string, m *quarantine.Message) error {
	if what == "delete" {
		return s.st.Delete(r.Context(), m.ID, c.sess.User.Name)
	}
	if err := s.st.Release(r.Context(), m.ID, c.sess.User.Name); err != nil {
		return err
	}
	s.releaseFeedback(r.Context(), m)
	return nil
}

func init() {
	for k, v := range map[string][2]string{
		"nav.campaigns":         {"Campaigns", "キャンペーン"},
		"camp.title":            {"Spam campaigns", "スパムキャンペーン"},
		"camp.disabled":         {"Campaign hashes are off: set [fuzzy] enabled = true.", "キャンペーン検出は無効です。[fuzzy] に enabled = true を設定してください。"},
		"camp.none":             {"No campaign yet: campaigns start from learned, reported or held mail.", "まだキャンペーンはありません。学習・報告・隔離されたメールからキャンペーンが作られます。"},
		"camp.id":               {"Campaign", "キャンペーン"},
		"camp.subject":          {"First subject", "最初の件名"},
		"camp.size":             {"Copies", "通数"},
		"camp.held":             {"Held", "隔離"},
		"camp.spam":             {"Learned/reported", "学習・報告"},
		"camp.ham":              {"Ham/released", "正常・解放"},
		"camp.first":            {"First seen", "初回"},
		"camp.last":             {"Last seen", "最終"},
		"camp.known":            {"Known spam", "既知のスパム"},
		"camp.yes":              {"yes", "はい"},
		"camp.no":               {"no", "いいえ"},
		"camp.release":          {"Release held copies", "隔離中のコピーを解放"},
		"camp.delete":           {"Delete held copies", "隔離中のコピーを削除"},
		"camp.forget":           {"Forget campaign", "キャンペーンを忘れる"},
		"camp.confirm_release":  {"Release every held copy of this campaign to its recipients?", "このキャンペーンの隔離中のコピーをすべて受信者に解放しますか?"},
		"camp.confirm_delete":   {"Delete every held copy of this campaign?", "このキャンペーンの隔離中のコピーをすべて削除しますか?"},
		"camp.confirm_forget":   {"Forget this campaign (its copies are no longer recognised)?", "このキャンペーンを忘れますか(以後コピーを検出しません)?"},
		"camp.msg.release":      {"Released held copies:", "解放したコピー:"},
		"camp.msg.delete":       {"Deleted held copies:", "削除したコピー:"},
		"camp.msg.forget":       {"Campaign forgotten.", "キャンペーンを忘れました。"},
		"camp.err.partial":      {"Some copies failed; see the log.", "一部のコピーで失敗しました。ログを確認してください。"},
		"camp.err.notfound":     {"No such campaign.", "そのキャンペーンはありません。"},
		"camp.err.noquarantine": {"The quarantine is not available.", "隔離ストアが使えません。"},
	} {
		messages[k] = v
	}
}
