#!/usr/bin/env python3
# Generates the Japanese test set (testdata/ja): ordinary business mail
# (ham) and lures modelled on the seeds (spam). Run once; files are
# committed. Deterministic.
import base64, email.header, os, random

random.seed(7)
here = os.path.dirname(os.path.abspath(__file__))

names = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
companies = ["株式会社みなと商事", "北斗システム株式会社", "さくら物流株式会社", "東和電機株式会社", "青葉設計事務所"]

ham_subjects = [
    "{d}の打ち合わせ日程について", "見積書送付のご連絡", "議事録の共有({d}定例)", "来週の出張の件",
    "請求書の件(ご確認のお願い)", "新システム導入スケジュールのご相談", "会議室予約の変更について",
    "資料修正版をお送りします", "納品日のご確認", "年末年始の営業日のお知らせ", "勉強会のご案内", "Re: 仕様書レビューのお願い",
]
ham_sentences = [
    "いつもお世話になっております。{c}の{n}です。",
    "先日はお忙しいところお時間をいただき、誠にありがとうございました。",
    "{d}の打ち合わせですが、午後二時から会議室Bでいかがでしょうか。",
    "ご依頼いただいておりました見積書を添付にてお送りいたします。",
    "内容をご確認のうえ、ご不明な点がございましたらお知らせください。",
    "前回の定例会議の議事録を共有いたします。修正点があればご指摘ください。",
    "来週の大阪出張は新幹線で移動し、現地で営業部の山田さんと合流する予定です。",
    "納品日につきましては、当初の予定どおり月末で問題ございません。",
    "新しい勤怠管理システムは来月から試験運用を開始します。",
    "仕様書の第三章について、レビューのコメントを反映しました。",
    "社内勉強会を開催します。テーマはデータベースの設計と性能改善です。",
    "年末年始の休業期間は十二月二十九日から一月三日までとなります。",
    "会議室の予約が重複していたため、時間を一時間後ろにずらしました。",
    "お手数をおかけしますが、稟議書の承認をお願いできますでしょうか。",
    "引き続きどうぞよろしくお願いいたします。",
    "取り急ぎご連絡まで。",
    "先方からの回答が届きましたので、転送いたします。",
    "テスト環境のサーバーは金曜日の夜に再起動します。",
]
spam_subjects = [
    "【重要:KAGOYA】Active!mailの脆弱性に関するお知らせ", "【緊急】アカウントが一時停止されました",
    "Amazon お届け予定の荷物について", "【三井住友カード】ご利用確認のお願い", "メールボックスの容量が上限に達しました",
    "あなたのパスワードは侵害されています", "【SBI証券】お客様情報の確認", "Re:", "Fwd: 請求書", "【Microsoft 365】サインインがブロックされました",
    "当選のお知らせ:賞金の受け取り手続き", "【重要】セキュリティ強化のためのご本人確認",
]
spam_sentences = [
    "お客様のアカウントで不審なログインが検出されました。",
    "以下のリンクから二十四時間以内にご本人確認を行ってください。",
    "期限内に確認が完了しない場合、アカウントは永久に停止されます。",
    "Active!mailの脆弱性が見つかったため、メールアカウントの再認証が必要です。",
    "下記URLよりログインし、パスワードを更新してください。",
    "お届け予定のお荷物が住所不明のため配達できませんでした。",
    "再配達のお手続きは以下のページから行ってください。",
    "カードのご利用に関して確認したいお取引がございます。",
    "メールボックスの容量が上限に達したため、新しいメールを受信できません。",
    "私はあなたのパソコンにウイルスを仕掛け、あなたの動画を撮影しました。",
    "ビットコインで十五万円相当を送金すれば、動画は削除します。",
    "送金先アドレス:36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN",
    "添付ファイルをご確認ください。パスワードは別途お送りします。",
    "よろしくお願い致します。",
    "おめでとうございます。あなたは賞金一千万円に当選しました。",
    "受け取りには手数料のお振込みが必要です。",
    "本メールは送信専用です。ご返信いただいてもお答えできません。",
    "セキュリティ強化のため、お客様情報の再登録をお願いしております。",
]
spam_urls = ["https://active-japan-top.beak.host/login", "http://amaz0n-delivery.xyz/redeliver", "https://smbc-card-check.top/verify",
             "https://secure-sbi.online/account", "https://login-micros0ft.support/auth"]
spam_from = ["KAGOYA <t_0205@cameo.plala.or.jp>", "Amazon Shipping <amz@123fnord.com>", "Microsoft <micros0ftsupport@hotmail.com>",
             "三井住友カード <info@smbc-card-check.top>", "SBI証券 <support@secure-sbi.online>", "管理者 <admin@mailbox-admin.info>"]


def enc_header(s):
    return email.header.Header(s, "utf-8").encode()


def make(subject, frm, to, body, attach=None, msgid="x"):
    hdr = [
        "From: " + frm,
        "To: " + to,
        "Subject: " + enc_header(subject),
        "Date: Mon, 10 Jun 2024 10:%02d:00 +0900" % random.randint(0, 59),
        "Message-ID: <%s@example.jp>" % msgid,
        "MIME-Version: 1.0",
    ]
    b64 = base64.encodebytes(body.encode("utf-8")).decode()
    if attach is None:
        hdr += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        return "\r\n".join(hdr) + "\r\n\r\n" + b64
    hdr += ['Content-Type: multipart/mixed; boundary="b1"']
    out = "\r\n".join(hdr) + "\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64
    out += '\r\n--b1\r\nContent-Type: application/zip; name="%s"\r\nContent-Disposition: attachment; filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' % (attach, attach)
    out += base64.encodebytes(b"PK\x03\x04" + os.urandom(0) + b"emotet-like-placeholder").decode() + "\r\n--b1--\r\n"
    return out


def ham(i):
    n, n2 = random.sample(names, 2)
    c = random.choice(companies)
    d = random.choice(["六月十二日", "来週火曜日", "十五日", "明日"])
    subj = random.choice(ham_subjects).format(d=d)
    sents = [ham_sentences[0]] + random.sample(ham_sentences[1:14], 4) + [random.choice(ham_sentences[14:])]
    body = "%s様\n\n" % n2 + "\n".join(s.format(c=c, n=n, d=d) for s in sents) + "\n\n--\n%s\n%s\n" % (c, n)
    return make(subj, "%s <%s@minato-shoji.co.jp>" % (n, "user%d" % i), "%s <colleague%d@example.jp>" % (n2, i), body, msgid="ham%d" % i)


def spam(i):
    subj = random.choice(spam_subjects)
    sents = random.sample(spam_sentences, 5)
    url = random.choice(spam_urls)
    body = "お客様各位\n\n" + "\n".join(sents[:3]) + "\n\n" + url + "\n\n" + "\n".join(sents[3:]) + "\n"
    attach = "請求書_%d.zip" % i if subj.startswith(("Re:", "Fwd:")) else None
    return make(subj, random.choice(spam_from), "user%d@example.jp" % i, body, attach=attach, msgid="spam%d" % i)


for kind, fn in (("ham", ham), ("spam", spam)):
    for split, n in (("train", 12), ("test", 6)):
        d = os.path.join(here, "ja", split, kind)
        os.makedirs(d, exist_ok=True)
        for i in range(n):
            with open(os.path.join(d, "%02d.eml" % i), "w", newline="") as f:
                f.write(fn(i if split == "train" else 100 + i))

# The same message in ISO-2022-JP and Shift_JIS (and UTF-8).
subj = "来週の打ち合わせ資料について"
body = ("山田様\n\nいつもお世話になっております。北斗システムの佐藤です。\n"
        "来週の打ち合わせで使用する資料を準備いたしました。全角英字のＡＢＣ社向け資料も含めています。\n"
        "ご確認のほど、よろしくお願いいたします。\n")
d = os.path.join(here, "ja", "enc")
os.makedirs(d, exist_ok=True)
for cs, cte in (("iso-2022-jp", "7bit"), ("shift_jis", "base64"), ("utf-8", "base64"), ("euc-jp", "base64")):
    b = body.replace("\n", "\r\n").encode(cs)
    payload = b.decode("ascii") if cte == "7bit" else base64.encodebytes(b).decode()
    h = email.header.Header(subj, cs).encode()
    msg = ("From: =?%s?B?%s?= <sato@hokuto-sys.co.jp>\r\nTo: yamada@example.jp\r\nSubject: %s\r\n"
           "Date: Tue, 11 Jun 2024 09:00:00 +0900\r\nMessage-ID: <enc@hokuto-sys.co.jp>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s") % (
        cs, base64.b64encode("佐藤".encode(cs)).decode(), h, cs, cte, payload)
    with open(os.path.join(d, cs + ".eml"), "w", newline="") as f:
        f.write(msg)
