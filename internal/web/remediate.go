package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/remediate"
)

// Post-delivery remediation page (admin only): the runs with what was
// done in each mailbox, a form to start one (dry run by default), and
// apply/undo buttons. See docs/remediate.md.

func (s *server) remediateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /remediate", s.auth(s.admin(s.remediatePage)))
	mux.HandleFunc("POST /remediate", s.auth(s.admin(s.remediateStart)))
	mux.HandleFunc("POST /remediate/{id}/apply", s.auth(s.admin(s.remediateApply)))
	mux.HandleFunc("POST /remediate/{id}/undo", s.auth(s.admin(s.remediateUndo)))
}

type remediateView struct {
	Enabled bool
	Runs    []*remediate.Run
	Msg     string
	Err     string
}

func (s *server) remediatePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	v := remediateView{Enabled: s.rem != nil, Msg: r.URL.Query().Get("msg"), Err: r.URL.Query().Get("err")}
	if s.rem != nil {
		runs, err := s.rem.Runs(r.Context(), 50)
		if err != nil {
			s.internal(w, r, c, err)
			return
		}
		for _, x := range runs {
			if full, err := s.rem.Get(r.Context(), x.ID); err == nil {
				v.Runs = append(v.Runs, full)
			}
		}
	}
	p := s.page(r, c, "remediate")
	p.Data = v
	s.render(w, "remediate", p)
}

func (s *server) remediateStart(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if s.rem == nil {
		http.Redirect(w, r, "/remediate", http.StatusSeeOther)
		return
	}
	fields := func(k string) []string {
		return strings.FieldsFunc(r.PostFormValue(k), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })
	}
	req := remediate.Request{MessageIDs: fields("message_id"), Hashes: fields("hash"), SourceID: strings.TrimSpace(r.PostFormValue("stored")), Mailboxes: fields("mailbox"),
		Action: r.PostFormValue("action"), DryRun: r.PostFormValue("apply") != "1", Trigger: "console", By: c.sess.User.Name,
		Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if len(req.Reason) > 500 {
		req.Reason = req.Reason[:500]
	}
	run, err := s.rem.Run(context.WithoutCancel(r.Context()), req)
	if err != nil {
		s.log.Warn("remediation from the console", "user", c.sess.User.Name, "err", err)
		http.Redirect(w, r, "/remediate?err="+remErrKey(err), http.StatusSeeOther)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "remediate", req.SourceID, run.ID+" "+run.State)
	http.Redirect(w, r, "/remediate?msg=started#run-"+run.ID, http.StatusSeeOther)
}

func remErrKey(err error) string {
	switch {
	case errors.Is(err, remediate.ErrNoTarget):
		return "no_target"
	case errors.Is(err, remediate.ErrNoMailbox):
		return "no_mailbox"
	case errors.Is(err, remediate.ErrState):
		return "state"
	}
	return "failed"
}

func (s *server) remediateApply(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.remediateDo(w, r, c, "apply", s.remApply)
}

func (s *server) remediateUndo(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.remediateDo(w, r, c, "undo", s.remUndo)
}

func (s *server) remApply(ctx context.Context, id, by string) (*remediate.Run, error) {
	return s.rem.Apply(ctx, id, by)
}

func (s *server) remUndo(ctx context.Context, id, by string) (*remediate.Run, error) {
	return s.rem.Undo(ctx, id, by)
}

func (s *server) remediateDo(w http.ResponseWriter, r *http.Request, c *reqCtx, what string, f func(context.Context, string, string) (*remediate.Run, error)) {
	if s.rem == nil {
		http.Redirect(w, r, "/remediate", http.StatusSeeOther)
		return
	}
	id := r.PathValue("id")
	run, err := f(context.WithoutCancel(r.Context()), id, c.sess.User.Name)
	detail := id
	if run != nil {
		detail += " → " + run.ID + " " + run.State
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "remediate-"+what, "", detail)
	if err != nil {
		s.log.Warn("remediation "+what, "user", c.sess.User.Name, "run", id, "err", err)
		http.Redirect(w, r, "/remediate?err="+remErrKey(err), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/remediate?msg="+what+"#run-"+run.ID, http.StatusSeeOther)
}

func init() {
	for k, v := range map[string][2]string{
		"nav.remediate":         {"Clawback", "回収"},
		"rem.title":             {"Post-delivery remediation", "配信後の回収"},
		"rem.disabled":          {"Remediation is off: set [remediate] enabled = true with the mailbox store's IMAP master user.", "回収は無効です。[remediate] に enabled = true とメールボックスの IMAP マスターユーザーを設定してください。"},
		"rem.start":             {"Find and remove delivered copies", "配信済みのコピーを探して回収"},
		"rem.message_id":        {"Message-ID", "Message-ID"},
		"rem.hash":              {"Attachment SHA-256", "添付ファイルの SHA-256"},
		"rem.stored":            {"Stored message id", "保存メッセージ ID"},
		"rem.mailboxes":         {"Also these mailboxes", "追加で検索するメールボックス"},
		"rem.reason":            {"Reason", "理由"},
		"rem.action":            {"Action", "処理"},
		"rem.move":              {"Move to the quarantine folder", "隔離フォルダーへ移動"},
		"rem.delete":            {"Delete (a copy is kept for undo)", "削除(元に戻せるよう控えを保存)"},
		"rem.apply_now":         {"Act now (otherwise a dry run)", "すぐに実行(指定しなければ試行のみ)"},
		"rem.go":                {"Search", "検索"},
		"rem.runs":              {"Runs", "実行履歴"},
		"rem.none":              {"No remediation yet.", "まだ回収はありません。"},
		"rem.created":           {"Started", "開始"},
		"rem.trigger":           {"Trigger", "契機"},
		"rem.by":                {"By", "実行者"},
		"rem.state":             {"State", "状態"},
		"rem.mailbox":           {"Mailbox", "メールボックス"},
		"rem.folder":            {"Folder", "フォルダー"},
		"rem.error":             {"Error", "エラー"},
		"rem.apply":             {"Apply", "実行する"},
		"rem.undo":              {"Undo (put back)", "元に戻す"},
		"rem.confirm_apply":     {"Move or delete these copies in the users' mailboxes?", "利用者のメールボックスからこれらのコピーを移動または削除しますか?"},
		"rem.confirm_undo":      {"Put these copies back where they were?", "これらのコピーを元の場所に戻しますか?"},
		"rem.msg.started":       {"Run recorded.", "実行を記録しました。"},
		"rem.msg.apply":         {"Applied.", "実行しました。"},
		"rem.msg.undo":          {"Copies put back.", "元に戻しました。"},
		"rem.err.no_target":     {"Give a Message-ID, an attachment hash or a stored message.", "Message-ID、添付ファイルのハッシュ、または保存メッセージを指定してください。"},
		"rem.err.no_mailbox":    {"No recipient mailbox found in the scan history.", "スキャン履歴に受信者のメールボックスが見つかりません。"},
		"rem.err.state":         {"That run cannot do this in its state.", "この実行は現在の状態ではその操作ができません。"},
		"rem.err.failed":        {"The run failed; see the log.", "実行に失敗しました。ログを確認してください。"},
		"rem.state.dry-run":     {"dry run", "試行のみ"},
		"rem.state.done":        {"done", "完了"},
		"rem.state.partial":     {"partly done", "一部完了"},
		"rem.state.failed":      {"failed", "失敗"},
		"rem.state.undone":      {"undone", "取り消し済み"},
		"rem.state.applied":     {"applied", "実行済み"},
		"rem.item.would-move":   {"would move", "移動予定"},
		"rem.item.would-delete": {"would delete", "削除予定"},
		"rem.item.moved":        {"moved", "移動済み"},
		"rem.item.deleted":      {"deleted", "削除済み"},
		"rem.item.not-found":    {"not found", "見つからず"},
		"rem.item.failed":       {"failed", "失敗"},
		"rem.item.restored":     {"restored", "復元済み"},
	} {
		messages[k] = v
	}
}
