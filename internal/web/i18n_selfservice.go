package web

// Texts of the self-service pages (digest links, reports, lists, bulk
// actions, audit).
var selfServiceMessages = map[string][2]string{
	"nav.lists":   {"Allow/block", "許可/拒否リスト"},
	"nav.reports": {"Reports", "報告"},
	"nav.audit":   {"Audit log", "監査ログ"},

	"msg.report":          {"Report as phishing", "フィッシングとして報告"},
	"msg.confirm_report":  {"Report this message to the administrators as phishing or spam?", "このメールをフィッシングまたは迷惑メールとして管理者に報告しますか?"},
	"flash.reported":      {"Thank you: the message was reported and is being checked again.", "報告しました。メールを再検査しています。"},
	"flash.report_failed": {"The report could not be taken; see the log.", "報告を受け付けられませんでした。ログを確認してください。"},

	"dg.title":              {"Held message", "保留メール"},
	"dg.from":               {"From", "差出人"},
	"dg.subject":            {"Subject", "件名"},
	"dg.received":           {"Received", "受信日時"},
	"dg.reason":             {"Why it was held", "保留の理由"},
	"dg.ask.release":        {"Release this message to your mailbox?", "このメールを受信箱に配送しますか?"},
	"dg.ask.release-allow":  {"Release this message and always allow this sender?", "このメールを配送し、今後この差出人を常に許可しますか?"},
	"dg.ask.delete":         {"Delete this message for good?", "このメールを削除しますか(元に戻せません)?"},
	"dg.do.release":         {"Release", "配送する"},
	"dg.do.release-allow":   {"Release and allow sender", "配送して差出人を許可"},
	"dg.do.delete":          {"Delete", "削除する"},
	"dg.title.session":      {"Your held mail", "保留メールの確認"},
	"dg.ask.session":        {"Open the held mail of", "次のアドレスの保留メールを開きます:"},
	"dg.do.session":         {"Show my held mail", "保留メールを表示"},
	"dg.done.release":       {"The message was released to your mailbox.", "メールを受信箱に配送しました。"},
	"dg.done.release-allow": {"The message was released, and the sender is now allowed.", "メールを配送し、差出人を許可リストに追加しました。"},
	"dg.done.delete":        {"The message was deleted.", "メールを削除しました。"},
	"dg.err.expired":        {"This link has expired. Ask your administrator, or wait for the next digest.", "このリンクは有効期限切れです。管理者に相談するか、次のお知らせを待ってください。"},
	"dg.err.used":           {"This link was already used (each message's links work once).", "このリンクは使用済みです(各メールのリンクは 1 回だけ使えます)。"},
	"dg.err.refused":        {"This message cannot be released by you (malware is never released by a recipient). Ask your administrator.", "このメールはご自身では解放できません(マルウェアは受信者が解放できません)。管理者に相談してください。"},
	"dg.err.gone":           {"This message is no longer held (released, deleted or expired).", "このメールはもう保留されていません(配送済み、削除済み、または期限切れ)。"},
	"dg.err.invalid":        {"This link is not valid.", "このリンクは無効です。"},
	"dg.err.failed":         {"That did not work; try again later or ask your administrator.", "処理に失敗しました。後でもう一度試すか、管理者に相談してください。"},

	"rp.title":             {"Reported messages", "報告されたメール"},
	"rp.address":           {"Forward suspicious mail (as an attachment) to", "不審なメールは添付ファイルとして次のアドレスに転送してください:"},
	"rp.none":              {"No reports yet.", "報告はまだありません。"},
	"rp.created":           {"Time", "日時"},
	"rp.reporter":          {"Reporter", "報告者"},
	"rp.kind":              {"Received as", "受付方法"},
	"rp.subject":           {"Subject", "件名"},
	"rp.sender":            {"Sender", "差出人"},
	"rp.triage":            {"Triage", "判定"},
	"rp.actions":           {"Done", "対応"},
	"rp.learned":           {"learned:", "学習:"},
	"rp.kind.attachment":   {"forwarded as attachment", "添付で転送"},
	"rp.kind.arf":          {"abuse report (ARF)", "苦情報告(ARF)"},
	"rp.kind.raw":          {"the message itself", "メール本体"},
	"rp.kind.console":      {"console button", "コンソールのボタン"},
	"rp.triage.pending":    {"pending", "確認待ち"},
	"rp.triage.confirmed":  {"confirmed dangerous", "危険と確認"},
	"rp.triage.suspicious": {"suspicious: review", "要確認"},
	"rp.triage.safe":       {"likely safe", "安全と思われる"},
	"rp.triage.failed":     {"failed", "失敗"},
	"rp.answer.sent":       {"answered", "回答済み"},
	"rp.answer.skipped":    {"not answered", "回答なし"},
	"rp.answer.failed":     {"answer failed", "回答失敗"},

	"ls.title":           {"Allow and block lists", "許可リストと拒否リスト"},
	"ls.help":            {"Senders (address or domain) allowed or blocked for one recipient or a whole domain. An allowed sender's mail is delivered unless it is malware or phishing; a blocked sender's mail is held.", "受信者ごと、またはドメイン全体で、差出人(アドレスまたはドメイン)を許可・拒否します。許可した差出人のメールはマルウェアとフィッシングを除き配送され、拒否した差出人のメールは隔離されます。"},
	"ls.add":             {"Add an entry", "追加"},
	"ls.scope":           {"For", "対象"},
	"ls.kind":            {"List", "種類"},
	"ls.value":           {"Sender", "差出人"},
	"ls.allow":           {"allow", "許可"},
	"ls.block":           {"block", "拒否"},
	"ls.go":              {"Add", "追加する"},
	"ls.none":            {"No entries.", "登録はありません。"},
	"ls.remove":          {"Remove", "削除"},
	"flash.list_added":   {"The entry was added.", "登録しました。"},
	"flash.list_removed": {"The entry was removed.", "削除しました。"},
	"flash.invalid":      {"That is not a valid address or domain.", "アドレスまたはドメインが不正です。"},

	"bulk.label":         {"With the selected:", "選択したメールを:"},
	"bulk.release":       {"Release", "配送(解放)"},
	"bulk.delete":        {"Delete", "削除"},
	"bulk.block":         {"Block sender", "差出人を拒否"},
	"bulk.spam":          {"Learn as spam", "迷惑メールとして学習"},
	"bulk.ham":           {"Learn as not spam", "正常なメールとして学習"},
	"bulk.go":            {"Apply", "実行"},
	"bulk.all":           {"Select all", "すべて選択"},
	"bulk.select":        {"Select", "選択"},
	"bulk.confirm":       {"Apply this action to every selected message?", "選択したすべてのメールに実行しますか?"},
	"flash.bulk_done":    {"Done for every selected message.", "選択したすべてのメールに実行しました。"},
	"flash.bulk_partial": {"Some selected messages could not be handled (not allowed, or failed; see the log).", "一部のメールは処理できませんでした(権限がない、または失敗。ログを確認してください)。"},
	"flash.bulk_none":    {"Select at least one message and an action.", "メールと操作を選択してください。"},

	"au.title":   {"Audit log", "監査ログ"},
	"au.none":    {"Nothing recorded.", "記録はありません。"},
	"au.time":    {"Time", "日時"},
	"au.user":    {"Who", "実行者"},
	"au.action":  {"Action", "操作"},
	"au.message": {"Message", "メール"},
	"au.detail":  {"Detail", "詳細"},
}

func init() {
	for k, v := range selfServiceMessages {
		if _, dup := messages[k]; dup {
			panic("web: duplicate message key " + k)
		}
		messages[k] = v
	}
}
