PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
		k TEXT PRIMARY KEY,
		v TEXT NOT NULL DEFAULT ''
	);
INSERT INTO meta VALUES('schema','1');
CREATE TABLE messages (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		scan_id TEXT NOT NULL DEFAULT '',
		received_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL,
		frontend TEXT NOT NULL DEFAULT '',
		client_ip TEXT NOT NULL DEFAULT '',
		client_host TEXT NOT NULL DEFAULT '',
		helo TEXT NOT NULL DEFAULT '',
		mail_from TEXT NOT NULL DEFAULT '',
		rcpts TEXT NOT NULL DEFAULT '',
		queue_id TEXT NOT NULL DEFAULT '',
		auth_user TEXT NOT NULL DEFAULT '',
		outbound INTEGER NOT NULL DEFAULT 0,
		subject TEXT NOT NULL DEFAULT '',
		from_addr TEXT NOT NULL DEFAULT '',
		from_name TEXT NOT NULL DEFAULT '',
		to_addrs TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		size BIGINT NOT NULL DEFAULT 0,
		action TEXT NOT NULL DEFAULT '',
		category TEXT NOT NULL DEFAULT '',
		score DOUBLE PRECISION NOT NULL DEFAULT 0,
		duration_us BIGINT NOT NULL DEFAULT 0,
		verdict TEXT NOT NULL DEFAULT '',
		urls TEXT NOT NULL DEFAULT '',
		attachments TEXT NOT NULL DEFAULT '',
		raw BLOB,
		raw_codec TEXT NOT NULL DEFAULT '',
		stored_bytes BIGINT NOT NULL DEFAULT 0,
		released_at BIGINT NOT NULL DEFAULT 0,
		released_by TEXT NOT NULL DEFAULT '',
		release_to TEXT NOT NULL DEFAULT '',
		learned TEXT NOT NULL DEFAULT '',
		learned_by TEXT NOT NULL DEFAULT '',
		learned_at BIGINT NOT NULL DEFAULT 0
	);
INSERT INTO messages VALUES('32d3b4c361ca1ec7ed46f4db','quarantine','33c4346b000001',1796515052141,1799107052180,'milter','198.51.100.23','','mail-relay.example.net','micros0ftsupport@hotmail.com','tanaka@example.jp','4XyZ1abc','',0,'Action required: your Office 365 password expires today','micros0ftsupport@hotmail.com','Microsoft 365 support@microsoft.com','tanaka@example.jp','o365-lure-0001@mail-relay.example.net',2171,'reject','phishing',29.070000000000000284,36602,'{"action":"reject","category":"phishing","score":29.07,"required_score":15,"symbols":[{"name":"URL_HTML_PASSWORD_FORM","score":5,"options":["Password_Keep.html"],"category":"phishing","description":"HTML in the message or an attachment asks for a password (a local phishing page).","description_ja":"メッセージまたは添付 HTML がパスワードの入力を求めています(ローカルのフィッシングページ)。"},{"name":"FROM_DISPLAY_BRAND","score":4.61,"options":["Microsoft from hotmail.com"],"category":"phishing","description":"The display name names a well-known brand, but the address is not one of that brand''s domains.","description_ja":"表示名は有名ブランドを名乗っていますが、アドレスはそのブランドのドメインではありません。"},{"name":"FROM_LOCAL_BRAND","score":3.18,"options":["micros0ftsupport@ names Microsoft"],"category":"phishing","description":"The address''s user part names a brand (e.g. micros0ftsupport@) on a domain that is not the brand''s.","description_ja":"アドレスのユーザー名部分がブランド名を含みます(例: micros0ftsupport@)が、ドメインはそのブランドのものではありません。"},{"name":"FROM_BRAND_FREEMAIL","score":2.87,"options":["Microsoft"],"category":"phishing","description":"A brand is claimed from a free webmail address (brands do not write from webmail).","description_ja":"フリーメールのアドレスからブランドを名乗っています(企業はフリーメールから送信しません)。"},{"name":"HDR_FROM_NAME_HAS_ADDRESS","score":2.55,"options":["support@microsoft.com ≠ micros0ftsupport@hotmail.com"],"category":"phishing","description":"The sender''s display name shows a different address than the real one.","description_ja":"差出人の表示名に、実際とは別のメールアドレスが書かれています。"},{"name":"URL_BRAND_UNRELATED_LINKS","score":1.71,"options":["Microsoft (hotmail.com) → micros0ft-login.example"],"category":"phishing","description":"The message claims to come from a brand, but none of its links go to that brand''s domains.","description_ja":"メッセージはブランドを名乗っていますが、リンクはどれもそのブランドのドメインではありません。"},{"name":"URL_HTML_ATTACHMENT","score":1.69,"options":["Password_Keep.html"],"category":"phishing","description":"The message carries an HTML file as an attachment, a common phishing and malware carrier.","description_ja":"HTML ファイルが添付されています。フィッシングやマルウェアでよく使われる形式です。"},{"name":"RULE_PHISH_CREDENTIAL_LURE","score":1.55,"options":[],"category":"phishing","description":"Credential-phishing wording together with a suspicious link (lookalike, unrelated or throw-away domain).","description_ja":"認証情報を狙う文面と、不審なリンク(偽ドメイン・無関係・使い捨てドメイン)が揃っています。"},{"name":"URL_ANCHOR_BRAND_MISMATCH","score":1.41,"options":["microsoftonline.com → micros0ft-login.example"],"category":"phishing","description":"A link shows a well-known or protected domain as its text but goes elsewhere.","description_ja":"有名ブランドや保護対象のドメインを表示しながら、実際には別のドメインへリンクしています。"},{"name":"FROM_FREEMAIL","score":1.03,"options":["hotmail.com"],"category":"spam","description":"The sender uses a free webmail or consumer mailbox.","description_ja":"送信者はフリーメールまたは個人向けメールアドレスを使っています。"},{"name":"RCVD_FREEMAIL_FORGED","score":1,"options":["hotmail.com via "],"category":"spam","description":"The From address is at a webmail provider (hotmail.com, gmail.com ...), but none of its servers is on the delivery path.","description_ja":"From はフリーメール事業者(hotmail.com、gmail.com 等)のアドレスですが、配送経路にその事業者のサーバがありません。"},{"name":"URL_JAVASCRIPT","score":1,"options":["javascript:alert(1)"],"category":"phishing","description":"A link runs JavaScript (javascript: URL).","description_ja":"リンクが JavaScript を実行します(javascript: URL)。"},{"name":"RULE_PHISH_PASSWORD_EXPIRY","score":0.62,"options":["password expire"],"category":"phishing","description":"The message says your password expires or your mailbox is full (a classic webmail lure).","description_ja":"パスワードの有効期限切れやメールボックス容量超過を告げています(典型的なメール認証情報の詐取手口)。"},{"name":"RULE_ATTACH_RISKY_NAME","score":0.55,"options":[".html "],"category":"malware","description":"An attachment''s name ends in an archive, macro document, script or disk-image extension.","description_ja":"添付ファイル名が圧縮ファイル・マクロ付き文書・スクリプト・ディスクイメージの拡張子です。"},{"name":"SPF_NONE","score":0.2,"options":["mailfrom=hotmail.com"],"category":"spam","description":"SPF none: the envelope sender''s domain publishes no SPF record.","description_ja":"SPF none: エンベロープ送信者のドメインにSPFレコードがありません。"},{"name":"HDR_MESSAGE_ID_OTHER_DOMAIN","score":0.1,"options":["mail-relay.example.net"],"category":"clean","description":"The Message-ID was made by another domain than the sender''s (common with hosted mail).","description_ja":"Message-ID が差出人とは別のドメインで生成されています(ホスティングでは普通です)。"},{"name":"HDR_REPLYTO_OTHER_DOMAIN","score":0,"options":["outlook.example"],"category":"spam","description":"Replies go to a different domain than the sender''s.","description_ja":"返信先(Reply-To)が差出人とは別のドメインです。"}],"explanation":"Rejected as phishing (score 29.07). HTML in the message or an attachment asks for a password (a local phishing page) (Password_Keep.html). The display name names a well-known brand, but the address is not one of that brand''s domains (Microsoft from hotmail.com). The address''s user part names a brand (e.g. micros0ftsupport@) on a domain that is not the brand''s (micros0ftsupport@ names Microsoft).","explanation_ja":"フィッシングとして拒否しました(スコア 29.07)。メッセージまたは添付 HTML がパスワードの入力を求めています(ローカルのフィッシングページ) (Password_Keep.html)。表示名は有名ブランドを名乗っていますが、アドレスはそのブランドのドメインではありません (Microsoft from hotmail.com)。アドレスのユーザー名部分がブランド名を含みます(例: micros0ftsupport@)が、ドメインはそのブランドのものではありません (micros0ftsupport@ names Microsoft)。","reason":"message looks like phishing (URL_HTML_PASSWORD_FORM, FROM_DISPLAY_BRAND, FROM_LOCAL_BRAND)","attachments":[{"path":"1.2","name":"Password_Keep.html","declared_type":"text/html","detected_type":"text/html","size":101,"sha256":"1d3133c5dc9c195ed6609f2d0e1a92ac4e9c4c9230d23145ce6678feadaada03"}],"auth":{"authserv_id":"gw.example.jp","methods":[{"method":"spf","result":"none","props":{"reason":"no SPF record","smtp.mailfrom":"micros0ftsupport@hotmail.com"}},{"method":"iprev","result":"fail","props":{"policy.iprev":"198.51.100.23"}},{"method":"dmarc","result":"none","props":{"header.from":"hotmail.com"}}]}}','[{"url":"https://micros0ft-login.example/owa/keep?u=tanaka","host":"micros0ft-login.example","source":"text","part":"1.1.1","sha256":"2cf4b83f092831948a694f70928a5f9babd0271383aae09e8cb35be9a00c3304"},{"url":"https://micros0ft-login.example/owa/keep?u=tanaka","host":"micros0ft-login.example","source":"href","anchor":"https://login.microsoftonline.com/keep","part":"1.1.2","sha256":"2cf4b83f092831948a694f70928a5f9babd0271383aae09e8cb35be9a00c3304"},{"url":"PIXELBASE/pixel","source":"src","part":"1.1.2","sha256":"4b13da7a749955eb9ba2fc63249acee194df5d3f28d55efa0da2fe379477b41b"},{"url":"PIXELBASE/iframe","source":"src","part":"1.1.2","sha256":"39ced75fa73a108b5049640c8baf7c00dfd1eaf9d952695c4ca3fe1a234b8b9b"},{"url":"javascript:alert(1)","source":"href","anchor":"Click","part":"1.1.2","sha256":"d0ee0421cce9521da249939cc55632a0cee6ec36d5f5a1940e0c47800007a0ea"},{"url":"https://login.microsoftonline.com/keep","host":"login.microsoftonline.com","source":"text","part":"1.1.2","sha256":"65fa0a2af112a378420af286a2119e5a21a8f8776197e39dfcba40cae2acebdf"}]','[{"path":"1.2","name":"Password_Keep.html","declared_type":"text/html","detected_type":"text/html","size":101,"sha256":"1d3133c5dc9c195ed6609f2d0e1a92ac4e9c4c9230d23145ce6678feadaada03"}]',X'28b52ffd647b07ed2200ba48000e2db0ccaa0688cb205f3164137ed4bcac74a6dd946f337737a751042e312c93851d0ce7ec917cd07fd01fc71bd305d400c900d00077475ba7f65ade96c6ed68a1f6db6e7b058473fd99d5c7be7d7779504a2917e2242f974a25d21a2f1603064493698a6434919207116f32d6e00e1221502219c9484e0f221716092051ca8a5c8813494926aa2223452225f13306514a62009c29a2e56a989a89e75751670dc0831936a78d4e8680486bc45c505844c4edeb26463855fb9d3190c871706eec60001e8c4098482229a768a244042ad303487cc7915bee4e8e479d695d43b6ce1b6fd65aa4a87754cfbce2c1ebe62cb275decf5bc3ebcc71dd7e4deeacb37aab486d3f3110d6dd7b45d273fcdfceb7d33bea4facfded84a0071f7cb47f971faba327c55dc6a2853aa75ee9f5e4eadbee46cab9ce05f4d81fe787076534450ae7bab53b80222810503c78354c524ac87567210ac32457918240007966eeed145252fe13e2c1cea4f9e3765d398e47aaf366efc97956358d41d45dee448abaae9d04d711e7fad925529f3907d6593c18a97cf1a02667fb5d6ea0304c20cd76ca59df22952fa08ee59e9bb3e8460ac324be96299e48ddac0d3c1869a7d3372bd3f3d268719cb175ab86468b75b3d66c9d37e23e5b9c55746152756115275517573d783d91c7f408f0a08e371c347fd207c4bfc3aafebfbcefa84333f65874668b73ecd08c550f4a95545588643068ef0c62754751dc659dd16413a3d0a119bbdc767e570f5e9525f2c053435284c5c56122220301e601d9b277cdf2808858808179586ebf7ef4d86f97657a3d5775b6ab8b4edfaacbdedf2a7b7fbbd32f1e7cd0ea0a70ee1a696eb2846b265b4892a8cdfd6f0f529cbb8218693cf86000edbb8b7a3ac4830f7ec506442a832bcd198e80b46b1b4f4d00d2beb3deb79e5b162db84ecb050f42909533983d49d05c79c02c4826080880d8e8542474c2820c8dcd74b1b1b10768e69281b1138646e7f04027078c711c0ecc83b8c124eb70984c588e44f60624dc522ac65109b6a7077a1d26641d09261adc2499e8c813b24dc5019aa905a6ab604cb9004323236fd6b1218159d860607293c03cf8a00006df13735bb56879ec77cbe6fffcba33b72bc463ef6f11e7ae2002e6b1fc4e0c4157757568c6a429559aacda87eb894c90d76e27353b26c78357753d7ea7d6eaf458bf65aa6ff1991e6b7b5a37f1b1cea9dc63657ac7ccadd794aa9bb3c871b5385fcf6369ae03502000426014b2f40133b22f88bd247a24812190e54482476e7b3ab27572c0f02e409c809052d6466d47bbc1270fba30422e465eae32ea79f203c0c3a2fb3b4ebea56ce6fbd3f08634bc7f001b81355e3c5d71359301154d62ba330c0dd878c8b7bb78acc0c1b7c58e2ea0db093267d900b3ee49d88bc48f920c10a7fe4a8a1615879c84cd87126e7a25560307426ec0cc15e1e617bb965b883c4379dda0fbc5da40e68fba08b513a29f379341e4254f44e0710611901c9af41bc2c5c86081925c10a76e70250cd92a10d68b07a467915eb80154c3d4d6200ab3da1a80','zstd',1131,0,'','','','',0);
INSERT INTO messages VALUES('9e1250bbb976a9c8782ee6d9','history','33c4346b000002',1796515052177,1797119852180,'milter','198.51.100.23','','mail-relay.example.net','micros0ftsupport@hotmail.com','sato@example.jp','4XyZ1abc','',0,'Meeting notes','suzuki@partner.example','Suzuki Ichiro','sato@example.jp','notes-3@partner.example',341,'accept','clean',0.2000000000000000111,2451,'{"action":"accept","category":"clean","score":0.2,"required_score":15,"symbols":[{"name":"SPF_NONE","score":0.2,"options":["mailfrom=hotmail.com"],"category":"spam","description":"SPF none: the envelope sender''s domain publishes no SPF record.","description_ja":"SPF none: エンベロープ送信者のドメインにSPFレコードがありません。"},{"name":"MIME_SHORT_CALL_TO_ACTION","score":0,"options":[""],"category":"spam","description":"A few words and a link to click, with no thread and no attachment.","description_ja":"短い文章とクリックを促すリンクだけのメールです(返信でも添付付きでもありません)。"}],"explanation":"Delivered: score 0.20 is below the tag threshold 5.00. Minor signs: SPF none: the envelope sender''s domain publishes no SPF record (mailfrom=hotmail.com).","explanation_ja":"配送しました: スコア 0.20 はタグ付けのしきい値 5.00 未満です。軽微な兆候: SPF none: エンベロープ送信者のドメインにSPFレコードがありません (mailfrom=hotmail.com)。","reason":"clean","auth":{"authserv_id":"gw.example.jp","methods":[{"method":"spf","result":"none","props":{"reason":"no SPF record","smtp.mailfrom":"micros0ftsupport@hotmail.com"}},{"method":"iprev","result":"fail","props":{"policy.iprev":"198.51.100.23"}},{"method":"dmarc","result":"none","props":{"header.from":"partner.example"}}]}}','[{"url":"https://wiki.partner.example/notes/3","host":"wiki.partner.example","source":"text","part":"1","sha256":"d2ec7f39814591945f116833c984a5d672b01672e634e2dba6ce1f046bf843cb"}]','null',X'28b52ffd44005500a5070082d1362420ab38013b40b21c4d1a12217a6657a890bc04ef3f0cffdc7a6f2a460e40250412ff15268b31352f335a6cb184e3344c31c5719cacbaa73ba698f29dfab0ffd849d26efd46bd451fb03f81b1e18b2d76782a19d81a9d13165b8c5992cac849d02ba34ed2071eaba472bab27db795c5c1f4db7ed060b1d63c770fb28cbbc01c400d28c128ee180d66212ae5428bb526d000de9a6bcd3dcf03100df19614fe207ed8e9b8db56c662721bbe431ef72e74d7d2461866b458156916b055de41c762052ba9265ad926eeeba8d5422a0e234f52e34ccdcb8cee2630220407004b08623cd610b9d11e3f648bbcba119be9483b9be043ee23','zstd',259,0,'','','','',0);
CREATE TABLE msg_rcpt (
		msg_id TEXT NOT NULL,
		addr TEXT NOT NULL,
		PRIMARY KEY (msg_id, addr)
	);
INSERT INTO msg_rcpt VALUES('32d3b4c361ca1ec7ed46f4db','tanaka@example.jp');
INSERT INTO msg_rcpt VALUES('9e1250bbb976a9c8782ee6d9','sato@example.jp');
CREATE TABLE msg_symbol (
		msg_id TEXT NOT NULL,
		name TEXT NOT NULL,
		score DOUBLE PRECISION NOT NULL DEFAULT 0,
		PRIMARY KEY (msg_id, name)
	);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','URL_HTML_PASSWORD_FORM',5.0);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','FROM_DISPLAY_BRAND',4.6100000000000003197);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','FROM_LOCAL_BRAND',3.1800000000000001598);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','FROM_BRAND_FREEMAIL',2.8700000000000001065);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','HDR_FROM_NAME_HAS_ADDRESS',2.5499999999999998223);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','URL_BRAND_UNRELATED_LINKS',1.7099999999999999644);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','URL_HTML_ATTACHMENT',1.6899999999999999467);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','RULE_PHISH_CREDENTIAL_LURE',1.5500000000000000444);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','URL_ANCHOR_BRAND_MISMATCH',1.40999999999999992);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','FROM_FREEMAIL',1.0300000000000000266);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','RCVD_FREEMAIL_FORGED',1.0);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','URL_JAVASCRIPT',1.0);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','RULE_PHISH_PASSWORD_EXPIRY',0.61999999999999999555);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','RULE_ATTACH_RISKY_NAME',0.5500000000000000444);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','SPF_NONE',0.2000000000000000111);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','HDR_MESSAGE_ID_OTHER_DOMAIN',0.10000000000000000555);
INSERT INTO msg_symbol VALUES('32d3b4c361ca1ec7ed46f4db','HDR_REPLYTO_OTHER_DOMAIN',0.0);
INSERT INTO msg_symbol VALUES('9e1250bbb976a9c8782ee6d9','SPF_NONE',0.2000000000000000111);
INSERT INTO msg_symbol VALUES('9e1250bbb976a9c8782ee6d9','MIME_SHORT_CALL_TO_ACTION',0.0);
CREATE TABLE msg_hash (
		msg_id TEXT NOT NULL,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY (msg_id, kind, value)
	);
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','attachment','1d3133c5dc9c195ed6609f2d0e1a92ac4e9c4c9230d23145ce6678feadaada03');
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','url','2cf4b83f092831948a694f70928a5f9babd0271383aae09e8cb35be9a00c3304');
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','url','4b13da7a749955eb9ba2fc63249acee194df5d3f28d55efa0da2fe379477b41b');
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','url','39ced75fa73a108b5049640c8baf7c00dfd1eaf9d952695c4ca3fe1a234b8b9b');
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','url','d0ee0421cce9521da249939cc55632a0cee6ec36d5f5a1940e0c47800007a0ea');
INSERT INTO msg_hash VALUES('32d3b4c361ca1ec7ed46f4db','url','65fa0a2af112a378420af286a2119e5a21a8f8776197e39dfcba40cae2acebdf');
INSERT INTO msg_hash VALUES('9e1250bbb976a9c8782ee6d9','url','d2ec7f39814591945f116833c984a5d672b01672e634e2dba6ce1f046bf843cb');
CREATE TABLE users (
		name TEXT PRIMARY KEY,
		hash TEXT NOT NULL,
		role TEXT NOT NULL,
		addresses TEXT NOT NULL DEFAULT '',
		created_at BIGINT NOT NULL DEFAULT 0,
		last_login BIGINT NOT NULL DEFAULT 0
	);
INSERT INTO users VALUES('admin','$argon2id$v=19$m=65536,t=3,p=2$ZhyjKyxF3acKA1so0TOuJQ$jL2MsL736F8nF6I6jbZDRY7SYKKChs/8OBncM3m+Jpg','admin','',1796515052936,0);
CREATE TABLE sessions (
		id TEXT PRIMARY KEY,
		username TEXT NOT NULL,
		csrf TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		seen_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL
	);
CREATE TABLE audit (
		at BIGINT NOT NULL,
		username TEXT NOT NULL,
		action TEXT NOT NULL,
		msg_id TEXT NOT NULL DEFAULT '',
		detail TEXT NOT NULL DEFAULT ''
	);
CREATE INDEX messages_kind_time ON messages (kind, received_at);
CREATE INDEX messages_expires ON messages (expires_at);
CREATE INDEX messages_scan ON messages (scan_id);
CREATE INDEX msg_rcpt_addr ON msg_rcpt (addr);
CREATE INDEX msg_symbol_name ON msg_symbol (name);
CREATE INDEX msg_hash_value ON msg_hash (value);
CREATE INDEX sessions_user ON sessions (username);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_msg ON audit (msg_id);
COMMIT;
