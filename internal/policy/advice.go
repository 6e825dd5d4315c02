package policy

import "github.com/sekisho/sekisho/internal/pipeline"

// advice picks the administrator's advice for a verdict. It must fit the
// action as well as the category: "do not release" only makes sense for
// mail that is held; mail that was delivered with a tag needs advice for the
// recipient, and rejected mail needs none about releasing.
func advice(a pipeline.Action, c pipeline.Category) (en, ja string, ok bool) {
	switch a {
	case pipeline.ActionQuarantine:
		en, ok = adviceEN[c]
		return en, adviceJA[c], ok
	case pipeline.ActionTag, pipeline.ActionAccept:
		en, ok = adviceDeliveredEN[c]
		return en, adviceDeliveredJA[c], ok
	case pipeline.ActionReject:
		en, ok = adviceRejectedEN[c]
		return en, adviceRejectedJA[c], ok
	}
	return "", "", false
}

// adviceDeliveredEN is for mail that reached the mailbox (tagged).
var adviceDeliveredEN = map[pipeline.Category]string{
	pipeline.CategorySpam:        "It was delivered with a tag; the recipient can delete it or leave it in the spam folder.",
	pipeline.CategoryPhishing:    "It was delivered with a warning: the recipient should not click its links or enter a password. If someone did, reset their password and check sign-ins.",
	pipeline.CategoryMalware:     "It was delivered with a warning: the recipient should not open the attachment. If it was opened, isolate that computer and check for infection.",
	pipeline.CategoryBEC:         "Confirm any payment or bank-detail change by phone with the person named, using a known number, before acting.",
	pipeline.CategoryExtortion:   "The threat is a bluff; do not pay. The recipient can delete it.",
	pipeline.CategoryFraud:       "An advance-fee or similar scam; do not reply. The recipient can delete it.",
	pipeline.CategoryUnscannable: "Parts could not be inspected; the recipient should confirm with the sender by another channel before opening them.",
}

var adviceDeliveredJA = map[pipeline.Category]string{
	pipeline.CategorySpam:        "タグを付けて配送しました。受信者は削除するか迷惑メールフォルダーに置いたままで構いません。",
	pipeline.CategoryPhishing:    "警告付きで配送しました。受信者はリンクを開いたりパスワードを入力したりしないでください。入力した人がいればパスワードを変更し、サインイン履歴を確認してください。",
	pipeline.CategoryMalware:     "警告付きで配送しました。受信者は添付ファイルを開かないでください。開いた端末があれば隔離し、感染の有無を調べてください。",
	pipeline.CategoryBEC:         "支払いや振込先変更の依頼は、既知の電話番号で本人に確認してから対応してください。",
	pipeline.CategoryExtortion:   "脅迫ははったりです。支払わないでください。削除して構いません。",
	pipeline.CategoryFraud:       "前払い詐欺などの詐欺メールです。返信せず削除してください。",
	pipeline.CategoryUnscannable: "検査できない部分があります。開く前に、送信者に別の手段で確認してください。",
}

// adviceRejectedEN is for mail refused at SMTP time: nothing to release.
var adviceRejectedEN = map[pipeline.Category]string{
	pipeline.CategoryBEC: "If a business partner reports missing mail, confirm its content by phone before accepting it another way.",
}

var adviceRejectedJA = map[pipeline.Category]string{
	pipeline.CategoryBEC: "取引先からメール不達の連絡があれば、別の経路で受け取る前に電話で内容を確認してください。",
}
