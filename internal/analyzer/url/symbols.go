package url

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols.
const (
	SymBlocklisted         = "URL_BLOCKLISTED"
	SymAllowlisted         = "URL_ALLOWLISTED"
	SymAnchorMismatch      = "URL_ANCHOR_MISMATCH"
	SymAnchorBrandMismatch = "URL_ANCHOR_BRAND_MISMATCH"
	SymAnchorSuspicious    = "URL_ANCHOR_MISMATCH_SUSPICIOUS"
	SymIPHost              = "URL_IP_HOST"
	SymNumericIP           = "URL_NUMERIC_IP"
	SymUserinfo            = "URL_USERINFO_HOST"
	SymObfuscated          = "URL_OBFUSCATED"
	SymPunycode            = "URL_PUNYCODE"
	SymMixedScript         = "URL_MIXED_SCRIPT"
	SymLookalike           = "URL_LOOKALIKE_BRAND"
	SymBrandUnrelated      = "URL_BRAND_UNRELATED_LINKS"
	SymBrandInURL          = "URL_BRAND_IN_URL"
	SymLoginSuspicious     = "URL_LOGIN_SUSPICIOUS_DOMAIN"
	SymSuspiciousDomain    = "URL_SUSPICIOUS_DOMAIN"
	SymShortener           = "URL_SHORTENER"
	SymDynDNS              = "URL_DYNDNS"
	SymFreeHosting         = "URL_FREE_HOSTING"
	SymDataURI             = "URL_DATA_URI"
	SymJavascript          = "URL_JAVASCRIPT"
	SymRedirector          = "URL_REDIRECTOR"
	SymHTMLAttach          = "URL_HTML_ATTACHMENT"
	SymPasswordForm        = "URL_HTML_PASSWORD_FORM"
	SymSmuggling           = "URL_HTML_SMUGGLING"
	SymHTMLRedirect        = "URL_HTML_ATTACHMENT_REDIRECT"

	SymQRURL         = "QR_CODE_URL"
	SymQRSuspicious  = "QR_CODE_SUSPICIOUS_URL"
	SymQRSparseText  = "QR_CODE_SPARSE_TEXT"
	SymQRImageSkiped = "QR_IMAGE_SKIPPED"
)

func init() {
	d := func(name string, w float64, cat pipeline.Category, en, ja string) pipeline.SymbolDef {
		g := "url"
		if name[:3] == "QR_" {
			g = "qr"
		}
		return pipeline.SymbolDef{Name: name, Weight: w, Category: cat, Group: g, EN: en, JA: ja}
	}
	P, S, C, M := pipeline.CategoryPhishing, pipeline.CategorySpam, pipeline.CategoryClean, pipeline.CategoryMalware
	pipeline.Register(
		d(SymBlocklisted, 8, P, "A link is on the local block list or a threat feed.", "リンクがローカルのブロックリストまたは脅威フィードに載っています。"),
		d(SymAllowlisted, 0, C, "A link is on the local allow list; link checks skipped it.", "リンクがローカルの許可リストに載っているため、リンク検査の対象外にしました。"),
		d(SymAnchorMismatch, 1.0, P, "A link's visible text shows one domain while it really goes to another.", "リンクの表示文字列のドメインと、実際のリンク先のドメインが異なります。"),
		d(SymAnchorBrandMismatch, 4, P, "A link shows a well-known or protected domain as its text but goes elsewhere.", "有名ブランドや保護対象のドメインを表示しながら、実際には別のドメインへリンクしています。"),
		d(SymAnchorSuspicious, 3, P, "A link's visible text shows one domain while it goes to a throw-away-looking, dynamic, free-hosted or listed one.", "リンクの表示文字列とは別の、使い捨て・ダイナミック DNS・無料ホスティングなど不審なドメインへリンクしています。"),
		d(SymIPHost, 2.5, S, "A link points at a bare IP address instead of a domain name.", "リンク先がドメイン名ではなく IP アドレスです。"),
		d(SymNumericIP, 3, P, "A link hides an IP address in decimal, hex or octal form.", "リンク先の IP アドレスが 10 進・16 進・8 進表記で隠されています。"),
		d(SymUserinfo, 4, P, "A link puts a domain name before \"@\" so that it seems to go there, but it goes to the host after \"@\".", "リンクの「@」の前にドメイン名を置き、そこへ行くように見せかけています(実際の行き先は「@」の後ろです)。"),
		d(SymObfuscated, 2, P, "A link's host is disguised (encoded characters, backslashes, full-width letters).", "リンク先のホスト名が偽装されています(エンコード文字・バックスラッシュ・全角文字など)。"),
		d(SymPunycode, 0.5, S, "A link goes to an internationalised (punycode) domain name.", "リンク先が国際化ドメイン名(punycode)です。"),
		d(SymMixedScript, 4, P, "A link's domain mixes alphabets (e.g. Latin and Cyrillic look-alike letters): a homograph attack.", "リンク先ドメインに複数の文字体系(ラテン文字とキリル文字など)が混在しています。ホモグラフ攻撃です。"),
		d(SymLookalike, 6, P, "A link goes to a domain that imitates a well-known brand or a protected domain.", "リンク先が有名ブランドや保護対象ドメインに似せた偽ドメインです。"),
		d(SymBrandUnrelated, 3, P, "The message claims to come from a brand, but none of its links go to that brand's domains.", "メッセージはブランドを名乗っていますが、リンクはどれもそのブランドのドメインではありません。"),
		d(SymBrandInURL, 1.5, P, "A brand's name appears in a link's subdomain or path on a domain the brand does not own.", "ブランド名が、そのブランドのものではないドメインのサブドメインやパスに使われています。"),
		d(SymLoginSuspicious, 3, P, "Login or \"verify your account\" wording next to a link to a new-looking, unrelated domain.", "ログインや「アカウントの確認」を促す文言とともに、不審なドメインへのリンクがあります。"),
		d(SymSuspiciousDomain, 1.0, S, "A link goes to a domain that looks throw-away (random labels, many hyphens, cheap TLD, deep subdomains).", "リンク先が使い捨てらしいドメインです(ランダムな文字列・多数のハイフン・格安 TLD・深いサブドメイン)。"),
		d(SymShortener, 0.5, S, "A link uses a URL shortener that hides its destination.", "リンクに行き先を隠す短縮 URL が使われています。"),
		d(SymDynDNS, 1.5, P, "A link goes to a dynamic-DNS host name that anyone can register for free.", "リンク先が誰でも無料で取得できるダイナミック DNS のホスト名です。"),
		d(SymFreeHosting, 0.5, P, "A link goes to a free hosting, site-builder or file-sharing service often used for phishing pages.", "リンク先がフィッシングページによく使われる無料ホスティング・サイト作成・ファイル共有サービスです。"),
		d(SymDataURI, 3, P, "A link carries a whole page in a data: URL (no server to block).", "リンクに data: URL でページそのものが埋め込まれています(遮断できるサーバーがありません)。"),
		d(SymJavascript, 1, P, "A link runs JavaScript (javascript: URL).", "リンクが JavaScript を実行します(javascript: URL)。"),
		d(SymRedirector, 0.3, S, "A link goes through an open redirector or a redirect parameter to another site.", "リンクがオープンリダイレクトやリダイレクト用パラメーターを経由して別サイトへ飛びます。"),
		d(SymHTMLAttach, 1, P, "The message carries an HTML file as an attachment, a common phishing and malware carrier.", "HTML ファイルが添付されています。フィッシングやマルウェアでよく使われる形式です。"),
		d(SymPasswordForm, 5, P, "HTML in the message or an attachment asks for a password (a local phishing page).", "メッセージまたは添付 HTML がパスワードの入力を求めています(ローカルのフィッシングページ)。"),
		d(SymSmuggling, 6, M, "An HTML attachment builds a file in script and offers it as a download (HTML smuggling).", "添付 HTML がスクリプトでファイルを組み立ててダウンロードさせます(HTML スマグリング)。"),
		d(SymHTMLRedirect, 3, P, "An HTML attachment sends the browser to a web site when opened.", "添付 HTML を開くと、ブラウザーが外部サイトへ転送されます。"),
		d(SymQRURL, 1, P, "An image in the message holds a QR code with a link (links in images escape link filters).", "画像内の QR コードにリンクがあります(画像内のリンクはリンクフィルターをすり抜けます)。"),
		d(SymQRSuspicious, 3, P, "A link in a QR code failed link checks (lookalike, suspicious or listed domain).", "QR コード内のリンクがリンク検査に該当しました(偽ドメイン・不審なドメイン・リスト登録など)。"),
		d(SymQRSparseText, 1.5, P, "The message has little text besides a QR code with a link (\"scan to verify\").", "リンク入りの QR コード以外にほとんど本文がありません(「読み取って確認」型)。"),
		d(SymQRImageSkiped, 0, C, "An image was too large or slow to scan for QR codes; it was skipped.", "画像が大きすぎるか解析に時間がかかりすぎるため、QR コードの検査を省略しました。"),
	)
}
