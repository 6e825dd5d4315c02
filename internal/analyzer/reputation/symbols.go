package reputation

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols. A REP_ symbol's score is its weight times the evidence: the
// share of bad (or good) observations beyond even odds, times how many
// observations there are up to [reputation] min_evidence.
const (
	SymBadSender    = "REP_BAD_SENDER"
	SymBadDomain    = "REP_BAD_DOMAIN"
	SymBadDKIM      = "REP_BAD_DKIM_DOMAIN"
	SymBadNetwork   = "REP_BAD_NETWORK"
	SymBadLink      = "REP_BAD_LINK_DOMAIN"
	SymGoodSender   = "REP_GOOD_SENDER"
	SymGoodDomain   = "REP_GOOD_DOMAIN"
	SymGoodDKIM     = "REP_GOOD_DKIM_DOMAIN"
	SymGoodNetwork  = "REP_GOOD_NETWORK"
	SymNewDomSpray  = "REP_NEW_DOMAIN_SPRAY"
	symbolGroupName = "reputation"
)

func init() {
	sp, cl := pipeline.CategorySpam, pipeline.CategoryClean
	def := func(name string, w float64, c pipeline.Category, en, ja string) pipeline.SymbolDef {
		return pipeline.SymbolDef{Name: name, Weight: w, Category: c, Group: symbolGroupName, EN: en, JA: ja}
	}
	pipeline.Register(
		def(SymBadSender, 4, sp, "The sender address has a history of spam here (scaled by evidence)", "送信者アドレスは当システムでスパム送信の履歴がある(根拠の量に応じて加点)"),
		def(SymBadDomain, 3, sp, "The sender's domain has a history of spam here (scaled by evidence)", "送信者ドメインは当システムでスパム送信の履歴がある(根拠の量に応じて加点)"),
		def(SymBadDKIM, 3, sp, "The DKIM-signing domain aligned with From has a history of spam here", "From と一致する DKIM 署名ドメインは当システムでスパム送信の履歴がある"),
		def(SymBadNetwork, 3, sp, "The sending network (/24 or /64) has a history of spam here", "送信元ネットワーク(/24 または /64)は当システムでスパム送信の履歴がある"),
		def(SymBadLink, 2.5, sp, "A link domain has mostly appeared in spam here", "リンク先ドメインは当システムで主にスパムに現れている"),
		def(SymGoodSender, -3, cl, "The authenticated sender address has a good history here", "認証済みの送信者アドレスは当システムで良好な履歴がある"),
		def(SymGoodDomain, -2, cl, "The authenticated sender domain has a good history here", "認証済みの送信者ドメインは当システムで良好な履歴がある"),
		def(SymGoodDKIM, -2.5, cl, "The DKIM-signing domain aligned with From has a good history here", "From と一致する DKIM 署名ドメインは当システムで良好な履歴がある"),
		def(SymGoodNetwork, -1.5, cl, "The sending network (/24 or /64) has a good history here", "送信元ネットワーク(/24 または /64)は当システムで良好な履歴がある"),
		def(SymNewDomSpray, 3, sp, "A sender domain first seen recently is already writing to many recipients", "最近初めて見た送信者ドメインが既に多数の受信者に送信している"),
	)
}
