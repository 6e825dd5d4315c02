package feed

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols of feed hits, one per indicator kind; a feed with own_symbol
// reports FEED_<NAME> instead (registered when the analyzer is built).
const (
	SymURL    = "FEED_URL"
	SymDomain = "FEED_DOMAIN"
	SymIP     = "FEED_IP"
	SymEmail  = "FEED_EMAIL"
	SymHash   = "FEED_HASH"
)

func init() {
	def := func(name string, w float64, c pipeline.Category, en, ja string) pipeline.SymbolDef {
		return pipeline.SymbolDef{Name: name, Weight: w, Category: c, Group: "feed", EN: en, JA: ja}
	}
	pipeline.Register(
		def(SymURL, 7, pipeline.CategoryPhishing, "A link is a URL indicator of a threat feed", "リンクが脅威フィードの URL インジケーターに一致する"),
		def(SymDomain, 5, pipeline.CategoryPhishing, "A link host, sender or Reply-To domain is a domain indicator of a threat feed", "リンク先ホスト・送信者・返信先のドメインが脅威フィードのドメインインジケーターに一致する"),
		def(SymIP, 4, pipeline.CategorySpam, "The sending client, a Received hop or a link address is an IP indicator of a threat feed", "送信元・Received 経路・リンク先の IP アドレスが脅威フィードの IP インジケーターに一致する"),
		def(SymEmail, 6, pipeline.CategoryMalware, "The envelope sender, From, Sender or Reply-To address is an e-mail indicator of a threat feed (addresses abused by malware such as Emotet)", "エンベロープ送信者・From・Sender・Reply-To のアドレスが脅威フィードのメールアドレスインジケーターに一致する(Emotet などに悪用されたアドレス)"),
		def(SymHash, 8, pipeline.CategoryMalware, "An attachment's MD5, SHA-1 or SHA-256 is a file-hash indicator of a threat feed", "添付ファイルの MD5・SHA-1・SHA-256 が脅威フィードのファイルハッシュインジケーターに一致する"),
	)
}
