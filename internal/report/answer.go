package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
	"time"
)

// answerTexts: subject prefix and body per triage and language.
var answerTexts = map[string]map[string][2]string{
	"en": {
		TriageConfirmed: {"Your report: confirmed as dangerous",
			"Thank you for your report. sekisho checked the message again and confirms it is dangerous (%s).\n" +
				"Copies delivered to other mailboxes are being removed. Do not open its links or attachments.\n" +
				"If you already clicked a link or entered a password, tell your administrator now."},
		TriageSuspicious: {"Your report: under review",
			"Thank you for your report. sekisho found signs of risk in the message, and an administrator will review it.\n" +
				"Until then, do not open its links or attachments."},
		TriageSafe: {"Your report: the message looks safe",
			"Thank you for your report. sekisho checked the message again and found nothing dangerous in it.\n" +
				"If you still doubt it, confirm with the sender by phone or another known channel before acting on it."},
	},
	"ja": {
		TriageConfirmed: {"ご報告の結果: 危険なメールと確認しました",
			"ご報告ありがとうございます。sekisho でメールを再検査し、危険なメール(%s)であると確認しました。\n" +
				"他の受信者に配送された同じメールは削除を進めています。リンクや添付ファイルは開かないでください。\n" +
				"すでにリンクをクリックしたり、パスワードを入力したりした場合は、すぐに管理者へ連絡してください。"},
		TriageSuspicious: {"ご報告の結果: 確認中です",
			"ご報告ありがとうございます。sekisho はこのメールに危険の兆候を見つけました。管理者が確認します。\n" +
				"それまでリンクや添付ファイルは開かないでください。"},
		TriageSafe: {"ご報告の結果: 安全と思われます",
			"ご報告ありがとうございます。sekisho でメールを再検査しましたが、危険な点は見つかりませんでした。\n" +
				"それでも不安な場合は、電話など既知の連絡手段で送信者に確認してから対応してください。"},
	},
}

var categoryJA = map[string]string{
	"spam": "スパム", "phishing": "フィッシング", "malware": "マルウェア", "bec": "ビジネスメール詐欺",
	"extortion": "脅迫", "fraud": "詐欺",
}

// lang picks the answer's language.
func (s *Service) lang(r *Report) string {
	if r.Lang == "ja" || r.Lang == "en" {
		return r.Lang
	}
	if l := s.cfg.Report.DefaultLanguage; l != "" {
		return l
	}
	return s.cfg.Web.DefaultLanguage
}

// from is the answers' From address.
func (s *Service) from() string {
	if s.cfg.Report.Address != "" {
		return s.cfg.Report.Address
	}
	return "postmaster@" + s.cfg.General.Hostname
}

// Compose builds the answer mail (RFC 5322, UTF-8, base64 body) and marks
// it automatic (Auto-Submitted: auto-replied, RFC 3834) so that nothing
// answers it back.
func (s *Service) Compose(r *Report) []byte {
	lang := s.lang(r)
	t := answerTexts[lang][r.Triage]
	if t[0] == "" {
		t = answerTexts[lang][TriageSuspicious]
	}
	cat := r.Category
	if lang == "ja" && categoryJA[cat] != "" {
		cat = categoryJA[cat]
	}
	body := t[1]
	if strings.Contains(body, "%s") {
		body = fmt.Sprintf(body, cat)
	}
	subj := r.Subject
	if subj == "" {
		subj = "(no subject)"
		if lang == "ja" {
			subj = "(件名なし)"
		}
	}
	var sb strings.Builder
	sb.WriteString(body)
	if lang == "ja" {
		fmt.Fprintf(&sb, "\n\n報告されたメール: %s\n送信者: %s\n受付番号: %s\n", clip(subj, 200), r.Sender, r.ID)
	} else {
		fmt.Fprintf(&sb, "\n\nReported message: %s\nSender: %s\nReport: %s\n", clip(subj, 200), r.Sender, r.ID)
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", "sekisho <"+s.from()+">")
	hdr("To", "<"+r.Reporter+">")
	hdr("Subject", mime.BEncoding.Encode("UTF-8", "[sekisho] "+t[0]))
	hdr("Date", s.q.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<report-"+r.ID+"@"+s.cfg.General.Hostname+">")
	if r.replyTo != "" && !strings.ContainsAny(r.replyTo, "\r\n") {
		hdr("In-Reply-To", r.replyTo)
	}
	hdr("Auto-Submitted", "auto-replied")
	hdr("Content-Language", lang)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(sb.String(), "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// answer sends the answer with a null envelope sender (RFC 3834 §3.3: an
// automatic answer must not draw bounces back to the reporting address).
func (s *Service) answer(ctx context.Context, r *Report) error {
	return s.send(ctx, "", []string{r.Reporter}, s.Compose(r))
}
