package auth

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols.
const (
	SymSPFPass       = "SPF_PASS"
	SymSPFFail       = "SPF_FAIL"
	SymSPFSoftFail   = "SPF_SOFTFAIL"
	SymSPFNeutral    = "SPF_NEUTRAL"
	SymSPFNone       = "SPF_NONE"
	SymSPFTempError  = "SPF_TEMPERROR"
	SymSPFPermError  = "SPF_PERMERROR"
	SymSPFPermissive = "SPF_PERMISSIVE"

	SymDKIMPass      = "DKIM_PASS"
	SymDKIMFail      = "DKIM_FAIL"
	SymDKIMBodyHash  = "DKIM_BODY_HASH_MISMATCH"
	SymDKIMTempError = "DKIM_TEMPERROR"
	SymDKIMPermError = "DKIM_PERMERROR"

	SymDMARCPass           = "DMARC_PASS"
	SymDMARCFailReject     = "DMARC_FAIL_REJECT"
	SymDMARCFailQuarantine = "DMARC_FAIL_QUARANTINE"
	SymDMARCFailNone       = "DMARC_FAIL_NONE"
	SymDMARCTempError      = "DMARC_TEMPERROR"
	SymDMARCPermError      = "DMARC_PERMERROR"
	SymDMARCARCOverride    = "DMARC_FAIL_ARC_OVERRIDE"

	SymARCPass      = "ARC_PASS"
	SymARCFail      = "ARC_FAIL"
	SymARCTempError = "ARC_TEMPERROR"

	SymRcvdPrivateOrigin  = "RCVD_PRIVATE_ORIGIN"
	SymRcvdUntrustedPriv  = "RCVD_UNTRUSTED_PRIVATE"
	SymRcvdBrandMismatch  = "RCVD_BRAND_MISMATCH"
	SymRcvdForgedHelo     = "RCVD_FORGED_HELO"
	SymRcvdFreemailForged = "RCVD_FREEMAIL_FORGED"
	SymRcvdMayBeForged    = "RCVD_MAY_BE_FORGED"
	SymRcvdNoTrustedHop   = "RCVD_NO_TRUSTED_HOP"
	SymAuthResultsForged  = "AUTH_RESULTS_FORGED"
	SymSPFHeloFail        = "SPF_HELO_FAIL"
	SymSPFHeloSoftFail    = "SPF_HELO_SOFTFAIL"
)

func init() {
	const g = "auth"
	c, s, p := pipeline.CategoryClean, pipeline.CategorySpam, pipeline.CategoryPhishing
	pipeline.Register(
		pipeline.SymbolDef{Name: SymSPFHeloFail, Weight: 1.0, Category: s, Group: g,
			EN: "SPF fail for the HELO name: the domain the server greeted with says it must not send (RFC 7208 §2.3).",
			JA: "HELO 名の SPF fail: 送信サーバが名乗ったドメインは、このサーバからの送信を許可していません(RFC 7208 §2.3)。"},
		pipeline.SymbolDef{Name: SymSPFHeloSoftFail, Weight: 0.3, Category: s, Group: g,
			EN: "SPF softfail for the HELO name: the domain the server greeted with does not expect it.",
			JA: "HELO 名の SPF softfail: 送信サーバが名乗ったドメインは、このサーバからの送信を想定していません。"},
		pipeline.SymbolDef{Name: SymSPFPass, Weight: 0, Category: c, Group: g,
			EN: "SPF: the sending server is authorised by the envelope sender's domain.",
			JA: "SPF: 送信サーバはエンベロープ送信者ドメインに認可されています。"},
		pipeline.SymbolDef{Name: SymSPFFail, Weight: 2.0, Category: s, Group: g,
			EN: "SPF fail: the envelope sender's domain says this server must not send its mail.",
			JA: "SPF fail: エンベロープ送信者のドメインは、このサーバからの送信を許可していません。"},
		pipeline.SymbolDef{Name: SymSPFSoftFail, Weight: 0.8, Category: s, Group: g,
			EN: "SPF softfail: the envelope sender's domain does not expect mail from this server.",
			JA: "SPF softfail: エンベロープ送信者のドメインは、このサーバからの送信を想定していません。"},
		pipeline.SymbolDef{Name: SymSPFNeutral, Weight: 0.2, Category: s, Group: g,
			EN: "SPF neutral: the domain makes no statement about this server.",
			JA: "SPF neutral: ドメインはこのサーバについて何も表明していません。"},
		pipeline.SymbolDef{Name: SymSPFNone, Weight: 0.2, Category: s, Group: g,
			EN: "SPF none: the envelope sender's domain publishes no SPF record.",
			JA: "SPF none: エンベロープ送信者のドメインにSPFレコードがありません。"},
		pipeline.SymbolDef{Name: SymSPFTempError, Weight: 0, Category: c, Group: g,
			EN: "SPF temperror: DNS failed while checking SPF (a temporary result, not a failure).",
			JA: "SPF temperror: SPF検査中にDNSが一時的に失敗しました(失敗判定ではありません)。"},
		pipeline.SymbolDef{Name: SymSPFPermError, Weight: 0.5, Category: s, Group: g,
			EN: "SPF permerror: the domain's SPF record is broken (syntax, too many lookups, several records).",
			JA: "SPF permerror: ドメインのSPFレコードが壊れています(構文、参照回数超過、複数レコード)。"},
		pipeline.SymbolDef{Name: SymSPFPermissive, Weight: 1.0, Category: s, Group: g,
			EN: "SPF record ends in +all: any server may send for the domain (typical of throw-away spam domains).",
			JA: "SPFレコードが +all で終わり、どのサーバからでも送信できます(使い捨てスパムドメインに典型的)。"},

		pipeline.SymbolDef{Name: SymDKIMPass, Weight: 0, Category: c, Group: g,
			EN: "DKIM: a signature verifies.",
			JA: "DKIM: 署名が検証できました。"},
		pipeline.SymbolDef{Name: SymDKIMFail, Weight: 1.0, Category: s, Group: g,
			EN: "DKIM fail: a signature does not verify (the signed headers were changed or forged).",
			JA: "DKIM fail: 署名が検証できません(署名対象ヘッダの改変または偽造)。"},
		pipeline.SymbolDef{Name: SymDKIMBodyHash, Weight: 0.3, Category: s, Group: g,
			EN: "DKIM body hash mismatch: the body changed after signing (mailing lists do this too).",
			JA: "DKIMの本文ハッシュ不一致: 署名後に本文が変更されました(メーリングリストでも起こります)。"},
		pipeline.SymbolDef{Name: SymDKIMTempError, Weight: 0, Category: c, Group: g,
			EN: "DKIM temperror: the signing key could not be fetched (DNS; temporary).",
			JA: "DKIM temperror: 公開鍵を取得できませんでした(DNSの一時的な失敗)。"},
		pipeline.SymbolDef{Name: SymDKIMPermError, Weight: 0.1, Category: s, Group: g,
			EN: "DKIM permerror: a signature is malformed or its key is missing or revoked.",
			JA: "DKIM permerror: 署名が不正、または公開鍵がないか失効しています。"},

		pipeline.SymbolDef{Name: SymDMARCPass, Weight: -0.5, Category: c, Group: g,
			EN: "DMARC pass: the From domain is authenticated by an aligned SPF or DKIM pass.",
			JA: "DMARC pass: From ドメインがSPFまたはDKIMの整合した認証で確認されました。"},
		pipeline.SymbolDef{Name: SymDMARCFailReject, Weight: 5.0, Category: p, Group: g,
			EN: "DMARC fail with policy reject: the From domain is forged and its owner asks to reject such mail.",
			JA: "DMARC fail (ポリシー reject): From ドメインが詐称されており、所有者は拒否を求めています。"},
		pipeline.SymbolDef{Name: SymDMARCFailQuarantine, Weight: 3.5, Category: p, Group: g,
			EN: "DMARC fail with policy quarantine: the From domain is forged and its owner asks to quarantine such mail.",
			JA: "DMARC fail (ポリシー quarantine): From ドメインが詐称されており、所有者は隔離を求めています。"},
		pipeline.SymbolDef{Name: SymDMARCFailNone, Weight: 1.0, Category: p, Group: g,
			EN: "DMARC fail with policy none: the From domain is not authenticated (its owner only monitors).",
			JA: "DMARC fail (ポリシー none): From ドメインが認証されていません(所有者は監視のみ)。"},
		pipeline.SymbolDef{Name: SymDMARCTempError, Weight: 0, Category: c, Group: g,
			EN: "DMARC temperror: DNS failed while checking DMARC (temporary, not a failure).",
			JA: "DMARC temperror: DMARC検査中にDNSが一時的に失敗しました(失敗判定ではありません)。"},
		pipeline.SymbolDef{Name: SymDMARCPermError, Weight: 0.2, Category: s, Group: g,
			EN: "DMARC permerror: the From domain's DMARC record is malformed.",
			JA: "DMARC permerror: From ドメインのDMARCレコードが不正です。"},

		pipeline.SymbolDef{Name: SymDMARCARCOverride, Weight: 0, Category: c, Group: g,
			EN: "DMARC failed after forwarding, but a trusted forwarder's ARC seal says the message authenticated before (policy not applied).",
			JA: "転送後にDMARCが失敗しましたが、信頼する転送者のARC封印が転送前の認証成功を示しています(ポリシーは適用しません)。"},
		pipeline.SymbolDef{Name: SymARCPass, Weight: 0, Category: c, Group: g,
			EN: "ARC pass: the chain of forwarders' seals verifies.",
			JA: "ARC pass: 転送経路の封印(ARC)が検証できました。"},
		pipeline.SymbolDef{Name: SymARCFail, Weight: 0.5, Category: s, Group: g,
			EN: "ARC fail: the forwarders' seal chain is broken or forged.",
			JA: "ARC fail: 転送経路の封印(ARC)が壊れているか偽造されています。"},
		pipeline.SymbolDef{Name: SymARCTempError, Weight: 0, Category: c, Group: g,
			EN: "ARC temperror: an ARC key could not be fetched (DNS; temporary).",
			JA: "ARC temperror: ARCの公開鍵を取得できませんでした(DNSの一時的な失敗)。"},

		pipeline.SymbolDef{Name: SymRcvdPrivateOrigin, Weight: 0.1, Category: s, Group: g,
			EN: "The oldest Received hop names a public host name but a private or reserved address.",
			JA: "最も古い Received 行が、公開ホスト名とプライベート/予約アドレスを示しています。"},
		pipeline.SymbolDef{Name: SymRcvdUntrustedPriv, Weight: 3.0, Category: s, Group: g,
			EN: "Your relay received this message from a private or reserved address it does not trust (forged trace).",
			JA: "自組織の中継サーバが、信頼していないプライベート/予約アドレスからこのメールを受け取っています(経路詐称)。"},
		pipeline.SymbolDef{Name: SymRcvdBrandMismatch, Weight: 2.0, Category: p, Group: g,
			EN: "The From domain or display name belongs to a brand, but no server on the delivery path is that brand's.",
			JA: "From ドメインまたは表示名はブランドのものですが、配送経路にそのブランドのサーバがありません。"},
		pipeline.SymbolDef{Name: SymRcvdFreemailForged, Weight: 1.0, Category: s, Group: g,
			EN: "The From address is at a webmail provider (hotmail.com, gmail.com ...), but none of its servers is on the delivery path.",
			JA: "From はフリーメール事業者(hotmail.com、gmail.com 等)のアドレスですが、配送経路にその事業者のサーバがありません。"},
		pipeline.SymbolDef{Name: SymRcvdForgedHelo, Weight: 1.5, Category: s, Group: g,
			EN: "The sending server greeted (HELO) with your own domain, a brand's domain or a foreign address literal.",
			JA: "送信サーバが HELO で自組織やブランドのドメイン、または別のIPアドレスを名乗っています。"},
		pipeline.SymbolDef{Name: SymRcvdMayBeForged, Weight: 0.3, Category: s, Group: g,
			EN: "A relay noted that the sending host's name may be forged.",
			JA: "中継サーバが送信ホスト名の詐称の可能性を記録しています。"},
		pipeline.SymbolDef{Name: SymRcvdNoTrustedHop, Weight: 0, Category: c, Group: g,
			EN: "No Received field written by a configured trusted relay: SPF could not be checked for this stored message.",
			JA: "信頼する中継サーバの Received がないため、保存メールのSPFを検査できませんでした。"},
		pipeline.SymbolDef{Name: SymAuthResultsForged, Weight: 2.0, Category: p, Group: g,
			EN: "The message arrived with an Authentication-Results header claiming to be from this server.",
			JA: "このサーバ名を名乗る Authentication-Results ヘッダが、受信前から付けられていました。"},
	)
}
