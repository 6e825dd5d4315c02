package web

import (
	"net/http"

	"golang.org/x/text/language"
)

// Languages the console speaks.
var (
	langTags    = []language.Tag{language.English, language.Japanese}
	langMatcher = language.NewMatcher(langTags)
)

// pickLang chooses the language: the cookie set by the switcher, else the
// browser's Accept-Language, else the configured default.
func (s *server) pickLang(r *http.Request) string {
	if c, err := r.Cookie(cookieLang); err == nil && (c.Value == "en" || c.Value == "ja") {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" && len(al) < 500 {
		tags, _, err := language.ParseAcceptLanguage(al)
		if err == nil && len(tags) > 0 {
			_, idx, conf := langMatcher.Match(tags...)
			if conf != language.No {
				if idx == 1 {
					return "ja"
				}
				return "en"
			}
		}
	}
	return s.cfg.Web.DefaultLanguage
}

// messages: key → English, Japanese.
var messages = map[string][2]string{
	"app":                    {"sekisho console", "関所 コンソール"},
	"nav.dashboard":          {"Dashboard", "ダッシュボード"},
	"nav.quarantine":         {"Quarantine", "隔離メール"},
	"nav.history":            {"History", "スキャン履歴"},
	"nav.logout":             {"Sign out", "ログアウト"},
	"nav.lang":               {"日本語", "English"},
	"acct.title":             {"Account", "アカウント"},
	"acct.current":           {"Current password", "現在のパスワード"},
	"acct.new":               {"New password (at least 10 characters)", "新しいパスワード(10文字以上)"},
	"acct.again":             {"New password again", "新しいパスワード(確認)"},
	"acct.submit":            {"Change password", "パスワードを変更"},
	"users.title":            {"Accounts", "アカウント管理"},
	"users.name":             {"Name", "名前"},
	"users.role":             {"Role", "権限"},
	"users.addresses":        {"Addresses", "アドレス"},
	"users.addresses_hint":   {"Addresses whose quarantine a recipient sees (comma-separated)", "受信者が隔離メールを見られるアドレス(カンマ区切り)"},
	"users.created":          {"Created", "作成日時"},
	"users.last_login":       {"Last sign-in", "最終ログイン"},
	"users.actions":          {"Actions", "操作"},
	"users.set_password":     {"Set password", "パスワード設定"},
	"users.delete":           {"Delete", "削除"},
	"users.confirm_delete":   {"Delete this account?", "このアカウントを削除しますか?"},
	"users.add":              {"Add an account", "アカウントを追加"},
	"nav.users":              {"Accounts", "アカウント管理"},
	"flash.user_added":       {"The account was added.", "アカウントを追加しました。"},
	"flash.user_password":    {"The password was set; the account's sessions were signed out.", "パスワードを設定しました。そのアカウントのセッションはログアウトされました。"},
	"flash.user_deleted":     {"The account was deleted.", "アカウントを削除しました。"},
	"flash.user_exists":      {"An account of that name exists.", "その名前のアカウントは既にあります。"},
	"flash.user_invalid":     {"The name or role is not valid (no spaces; admin or recipient).", "名前または権限が不正です(空白不可、admin または recipient)。"},
	"flash.user_no_address":  {"A recipient account needs at least one address.", "受信者アカウントには少なくとも1つのアドレスが必要です。"},
	"flash.user_self":        {"You cannot delete your own account here.", "自分のアカウントはここでは削除できません。"},
	"flash.pw_changed":       {"Password changed. Other sessions were signed out.", "パスワードを変更しました。他のセッションはログアウトされました。"},
	"flash.pw_wrong":         {"The current password is wrong.", "現在のパスワードが違います。"},
	"flash.pw_mismatch":      {"The new passwords differ or are shorter than 10 characters.", "新しいパスワードが一致しないか、10文字未満です。"},
	"login.title":            {"Sign in", "ログイン"},
	"login.user":             {"User name", "ユーザー名"},
	"login.password":         {"Password", "パスワード"},
	"login.submit":           {"Sign in", "ログイン"},
	"login.failed":           {"Wrong user name or password.", "ユーザー名またはパスワードが違います。"},
	"login.limited":          {"Too many failed sign-ins. Wait a few minutes and try again.", "ログイン失敗が多すぎます。数分待ってから再度お試しください。"},
	"dash.title":             {"Dashboard", "ダッシュボード"},
	"dash.by_action":         {"Messages by action", "処理別メッセージ数"},
	"dash.by_category":       {"Messages by category", "分類別メッセージ数"},
	"dash.top_symbols":       {"Top symbols", "よく検出されるシンボル"},
	"dash.latency":           {"Scan latency", "スキャン時間"},
	"dash.quarantine":        {"Quarantine", "隔離"},
	"dash.history":           {"History", "履歴"},
	"dash.messages":          {"messages", "通"},
	"dash.scans":             {"scans", "件"},
	"dash.range":             {"Range", "期間"},
	"dash.24h":               {"24 hours", "24時間"},
	"dash.7d":                {"7 days", "7日間"},
	"dash.empty":             {"No scans in this period yet.", "この期間のスキャンはまだありません。"},
	"dash.mean":              {"mean", "平均"},
	"dash.stored":            {"stored (compressed)", "保存サイズ(圧縮後)"},
	"dash.dropped":           {"not recorded (queue full)", "未記録(キュー満杯)"},
	"list.quarantine":        {"Quarantined mail", "隔離されたメール"},
	"list.history":           {"Recent scans", "最近のスキャン"},
	"list.filter":            {"Filter", "絞り込み"},
	"list.reset":             {"Reset", "リセット"},
	"list.from":              {"From date", "開始日"},
	"list.to":                {"To date", "終了日"},
	"list.rcpt":              {"Recipient", "宛先"},
	"list.sender":            {"Sender", "差出人"},
	"list.subject":           {"Subject", "件名"},
	"list.category":          {"Category", "分類"},
	"list.action":            {"Action", "処理"},
	"list.score_min":         {"Score ≥", "スコア ≥"},
	"list.score_max":         {"Score ≤", "スコア ≤"},
	"list.symbol":            {"Symbol", "シンボル"},
	"list.hash":              {"URL/attachment SHA-256", "URL/添付ファイル SHA-256"},
	"list.any":               {"any", "すべて"},
	"list.time":              {"Received", "受信日時"},
	"list.score":             {"Score", "スコア"},
	"list.status":            {"Status", "状態"},
	"list.none":              {"No messages match.", "該当するメッセージはありません。"},
	"list.total":             {"messages", "通"},
	"list.prev":              {"← Newer", "← 新しい"},
	"list.next":              {"Older →", "古い →"},
	"status.released":        {"released", "解放済み"},
	"status.learned":         {"learned as", "学習済み:"},
	"msg.title":              {"Message", "メッセージ"},
	"msg.verdict":            {"Verdict", "判定"},
	"msg.explanation":        {"Explanation", "説明"},
	"msg.envelope":           {"Envelope", "エンベロープ"},
	"msg.client":             {"Client", "接続元"},
	"msg.helo":               {"HELO", "HELO"},
	"msg.mail_from":          {"MAIL FROM", "MAIL FROM"},
	"msg.rcpt_to":            {"RCPT TO", "RCPT TO"},
	"msg.queue_id":           {"Queue ID", "キューID"},
	"msg.auth_user":          {"Authenticated user", "認証ユーザー"},
	"msg.scan_id":            {"Scan ID", "スキャンID"},
	"msg.frontend":           {"Front end", "受付方式"},
	"msg.size":               {"Size", "サイズ"},
	"msg.scan_time":          {"Scan time", "スキャン時間"},
	"msg.expires":            {"Deleted after", "削除予定"},
	"msg.symbols":            {"Symbols", "シンボル"},
	"msg.symbol":             {"Symbol", "シンボル"},
	"msg.detail":             {"Detail", "詳細"},
	"msg.meaning":            {"Meaning", "意味"},
	"msg.auth":               {"Authentication results", "送信元認証の結果"},
	"msg.auth_none":          {"No authentication results recorded.", "認証結果の記録はありません。"},
	"msg.received":           {"Received path (newest first)", "経路(Received、新しい順)"},
	"msg.links":              {"Links and their real destinations", "リンクと実際の飛び先"},
	"msg.link_text":          {"Text shown", "表示テキスト"},
	"msg.link_dest":          {"Real destination", "実際の飛び先"},
	"msg.link_source":        {"Found in", "出現箇所"},
	"msg.link_mismatch":      {"text shows another address", "表示と飛び先が異なります"},
	"msg.link_hidden":        {"hidden", "非表示"},
	"msg.no_links":           {"No links.", "リンクはありません。"},
	"msg.parts":              {"MIME structure and attachments", "MIME構造と添付ファイル"},
	"msg.part":               {"Part", "パート"},
	"msg.type":               {"Type", "種類"},
	"msg.detected":           {"Detected", "実際の形式"},
	"msg.filename":           {"File name", "ファイル名"},
	"msg.no_symbols":         {"No symbol fired.", "検出されたシンボルはありません。"},
	"msg.no_subject":         {"(no subject)", "(件名なし)"},
	"msg.attachment":         {"attachment", "添付"},
	"msg.analysed":           {"Analysed files (archives included)", "解析したファイル(アーカイブ内を含む)"},
	"msg.text":               {"Text", "本文(テキスト)"},
	"msg.html":               {"HTML (sanitised: no script, remote content blocked, links disabled)", "HTML(無害化済み:スクリプト無効・外部コンテンツ遮断・リンク無効)"},
	"msg.headers":            {"Headers", "ヘッダー"},
	"msg.no_raw":             {"The original message was not kept (larger than history_max_message_bytes).", "元のメッセージは保存されていません(history_max_message_bytes 超過)。"},
	"msg.release":            {"Release", "解放(配送)"},
	"msg.delete":             {"Delete", "削除"},
	"msg.download":           {"Download .eml", ".eml をダウンロード"},
	"msg.learn_spam":         {"Spam", "迷惑メールとして学習"},
	"msg.learn_ham":          {"Not spam", "正常なメールとして学習"},
	"msg.audit":              {"Activity", "操作履歴"},
	"msg.released_by":        {"Released by", "解放した人"},
	"msg.kind":               {"Kept as", "保存区分"},
	"kind.quarantine":        {"quarantine", "隔離"},
	"kind.history":           {"history", "履歴"},
	"msg.confirm_delete":     {"Delete this message for good?", "このメッセージを完全に削除しますか?"},
	"msg.confirm_release":    {"Deliver this message to its recipients?", "このメッセージを宛先に配送しますか?"},
	"flash.released":         {"The message was released to its recipients.", "メッセージを宛先に配送しました。"},
	"flash.deleted":          {"The message was deleted.", "メッセージを削除しました。"},
	"flash.learned_spam":     {"The classifier learned this message as spam.", "このメッセージを迷惑メールとして学習しました。"},
	"flash.learned_ham":      {"The classifier learned this message as not spam.", "このメッセージを正常なメールとして学習しました。"},
	"flash.no_learner":       {"The classifier is disabled (bayes.enabled = false): nothing was learned.", "分類器が無効です(bayes.enabled = false)。学習は行われていません。"},
	"flash.learn_failed":     {"Learning failed; see the log.", "学習に失敗しました。ログを確認してください。"},
	"flash.release_failed":   {"Release failed; see the activity below and the log.", "配送に失敗しました。下の操作履歴とログを確認してください。"},
	"flash.released_partial": {"The message was released, but some recipients were refused (malformed address or refused by the next hop); see the activity below.", "メッセージを配送しましたが、一部の宛先は拒否されました(不正なアドレス、または配送先が拒否)。下の操作履歴を確認してください。"},
	"flash.already":          {"This message was already released.", "このメッセージは解放済みです。"},
	"flash.forbidden":        {"You may not do that with this message.", "このメッセージに対してその操作は許可されていません。"},
	"flash.no_raw":           {"The original message was not kept.", "元のメッセージが保存されていません。"},
	"err.notfound":           {"Not found.", "見つかりません。"},
	"err.forbidden":          {"Forbidden: the form expired or did not come from this console. Reload the page and try again.", "禁止されています:フォームの有効期限切れか、このコンソール以外からの送信です。ページを再読み込みして再度お試しください。"},
	"err.internal":           {"Something went wrong; see the log.", "エラーが発生しました。ログを確認してください。"},
	"role.admin":             {"administrator", "管理者"},
	"role.recipient":         {"recipient", "受信者"},
	"cat.clean":              {"clean", "正常"},
	"cat.spam":               {"spam", "迷惑メール"},
	"cat.phishing":           {"phishing", "フィッシング"},
	"cat.malware":            {"malware", "マルウェア"},
	"cat.bec":                {"BEC", "ビジネスメール詐欺"},
	"cat.extortion":          {"extortion", "脅迫"},
	"cat.fraud":              {"fraud", "詐欺"},
	"act.accept":             {"accept", "受信"},
	"act.tag":                {"tag", "タグ付け"},
	"act.quarantine":         {"quarantine", "隔離"},
	"act.reject":             {"reject", "拒否"},
	"act.tempfail":           {"tempfail", "一時エラー"},
}

func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "ja" {
		return m[1]
	}
	return m[0]
}
