package main

// euMessages is European and English ham: banks, parcel carriers and tax
// authorities sending from their own domains, shops, SaaS receipts,
// calendar invitations, developer notifications, subscribed marketing,
// business and personal mail, bounces.
func euMessages() []msg {
	const de = "Jonas Weber <jonas.weber@example.de>"
	const nl = "Sanne de Vries <sanne.devries@example.nl>"
	const fr = "Camille Martin <camille.martin@example.fr>"
	const pt = "João Silva <joao.silva@example.com.br>"
	const ptpt = "Inês Costa <ines.costa@example.pt>"
	const es = "Lucía García <lucia.garcia@example.es>"
	const it = "Marco Rossi <marco.rossi@example.it>"
	const en = "Emily Clarke <emily.clarke@example.co.uk>"
	return []msg{
		// ---- Germany ----
		{
			file: "de-sparkasse-postfach", from: "Berliner Sparkasse <noreply@berliner-sparkasse.de>", to: de, tz: "+0100",
			subject: "Neue Nachricht in Ihrem elektronischen Postfach", date: "2025-02-04 07:15", cs: "iso-8859-1", cte: "quoted-printable",
			text: `Guten Tag Herr Weber,

in Ihrem elektronischen Postfach im Online-Banking liegt ein neues Dokument für Sie bereit:

  Kontoauszug Nr. 2/2025 zum Girokonto

Sie finden es nach der Anmeldung unter "Postfach":
https://www.berliner-sparkasse.de/

Bitte beachten Sie: Wir fragen Sie niemals per E-Mail nach Ihren Zugangsdaten oder TANs.

Mit freundlichen Grüßen
Ihre Berliner Sparkasse
`,
		},
		{
			file: "de-ing-kontoauszug", from: "ING <info@ing.de>", to: de, tz: "+0100",
			subject: "Ihr Kontoauszug ist da", date: "2025-03-03 06:40", cs: "utf-8", cte: "quoted-printable",
			text: `Hallo Jonas Weber,

Ihr Kontoauszug für das Girokonto ist ab sofort in Ihrer Post-Box im Internetbanking verfügbar.

Zur Post-Box: https://banking.ing.de/

Viele Grüße
Ihre ING
ING-DiBa AG, Theodor-Heuss-Allee 2, 60486 Frankfurt am Main
`,
			html: `<html><body style="font-family:Arial"><p>Hallo Jonas Weber,</p>
<p>Ihr Kontoauszug für das Girokonto ist ab sofort in Ihrer Post-Box im Internetbanking verfügbar.</p>
<p><a href="https://banking.ing.de/">Zur Post-Box</a></p><p>Viele Grüße<br>Ihre ING</p>
<p style="font-size:11px;color:#666">ING-DiBa AG, Theodor-Heuss-Allee 2, 60486 Frankfurt am Main</p></body></html>`,
		},
		{
			file: "de-dhl-sendung", from: "DHL Paket <noreply@dhl.de>", to: de, tz: "+0100",
			subject: "Ihre DHL Sendung kommt heute", date: "2025-11-27 07:05", cs: "utf-8", cte: "quoted-printable",
			text: `Hallo Jonas Weber,

Ihre Sendung von Zalando SE ist heute auf dem Weg zu Ihnen.

Sendungsnummer: 00340434161234567890
Voraussichtliche Zustellung: heute, 10:30 - 13:30 Uhr

Sendung verfolgen:
https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161234567890

Ihr DHL Team
`,
			html: `<html><body><p>Hallo Jonas Weber,</p><p>Ihre Sendung von Zalando SE ist heute auf dem Weg zu Ihnen.</p>
<p>Sendungsnummer: 00340434161234567890<br>Voraussichtliche Zustellung: <b>heute, 10:30 - 13:30 Uhr</b></p>
<p><a href="https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=00340434161234567890">Sendung verfolgen</a></p>
<p>Ihr DHL Team</p></body></html>`,
		},
		{
			file: "de-elster-postfach", from: "ELSTER <noreply@elster.de>", to: de, tz: "+0200",
			subject: "Neue Nachricht in Mein ELSTER", date: "2025-07-17 10:02", cs: "utf-8", cte: "quoted-printable",
			text: `Sehr geehrte Nutzerin, sehr geehrter Nutzer,

in Ihrem Postfach in Mein ELSTER liegt eine neue Nachricht für Sie bereit.
Bitte melden Sie sich unter https://www.elster.de/ an, um die Nachricht abzurufen.

Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.

Ihr ELSTER-Team
`,
		},
		{
			file: "de-amazon-bestellung", from: "Amazon.de <bestellbestaetigung@amazon.de>", to: de, tz: "+0100",
			subject: "Ihre Amazon.de Bestellung von \"Bosch Akkuschrauber...\"", date: "2025-12-02 19:40", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a7-11.smtp-out.eu-west-1.amazonses.com"},
			text: `Hallo Jonas Weber,

vielen Dank für Ihre Bestellung. Wir informieren Sie, sobald Ihr Artikel versandt wurde.

Bestellnummer: 302-1234567-1234567
Voraussichtliche Lieferung: Donnerstag, 4. Dezember

  Bosch Akkuschrauber GSR 12V-15   89,99 €

Gesamtsumme: 89,99 €

Ihre Bestellungen: https://www.amazon.de/gp/css/order-history
`,
			html: `<html><body><p>Hallo Jonas Weber,</p><p>vielen Dank für Ihre Bestellung.</p>
<p>Bestellnummer: <a href="https://www.amazon.de/gp/your-account/order-details?orderID=302-1234567-1234567">302-1234567-1234567</a></p>
<p>Voraussichtliche Lieferung: <b>Donnerstag, 4. Dezember</b></p>
<table><tr><td>Bosch Akkuschrauber GSR 12V-15</td><td>89,99 €</td></tr></table>
<p><a href="https://www.amazon.de/gp/css/order-history">Bestellungen anzeigen</a></p></body></html>`,
		},
		{
			file: "de-zalando-newsletter", from: "Zalando <info@service-mail.zalando.de>", to: de, tz: "+0100",
			subject: "Bis zu 50 % Rabatt: der Winter-Sale ist da", date: "2026-01-08 09:00", cs: "utf-8", cte: "base64",
			hdr: unsub("https://www.zalando.de/myaccount/newsletter/", ""),
			text: `Der Winter-Sale ist da: bis zu 50 % Rabatt auf Mäntel, Stiefel und mehr.

Jetzt entdecken: https://www.zalando.de/sale/

Sie erhalten diesen Newsletter, weil Sie ihn abonniert haben.
Abmelden: https://www.zalando.de/myaccount/newsletter/
Zalando SE, Valeska-Gert-Straße 5, 10243 Berlin
`,
			html: `<html><body><table width="600" align="center"><tr><td><a href="https://www.zalando.de/sale/"><img src="https://img01.ztat.net/newsletter/2026/winter-sale.jpg" alt="Winter-Sale bis zu 50 %"></a></td></tr>
<tr><td>Der Winter-Sale ist da: bis zu 50 % Rabatt auf Mäntel, Stiefel und mehr.</td></tr>
<tr><td><a href="https://www.zalando.de/sale/">Jetzt entdecken</a></td></tr>
<tr><td style="font-size:11px">Sie erhalten diesen Newsletter, weil Sie ihn abonniert haben. <a href="https://www.zalando.de/myaccount/newsletter/">Abmelden</a><br>Zalando SE, Valeska-Gert-Straße 5, 10243 Berlin</td></tr></table></body></html>`,
		},
		{
			file: "de-bahn-buchung", from: "DB Vertrieb GmbH <buchungsbestaetigung@bahn.de>", to: de, tz: "+0200",
			subject: "Ihre Buchungsbestätigung (Auftrag 123456789012)", date: "2025-09-10 21:17", cs: "utf-8", cte: "quoted-printable",
			text: `Hallo Jonas Weber,

vielen Dank für Ihre Buchung.

Auftragsnummer: 123456789012
Hinfahrt: Fr, 19.09.2025, Berlin Hbf 08:34 -> München Hbf 12:38, ICE 503
Sitzplatz: Wagen 7, Platz 45
Preis: 59,99 €

Ihr Ticket finden Sie in der DB Navigator App und unter https://www.bahn.de/buchung/reiseuebersicht

Gute Reise wünscht Ihnen
Ihre Deutsche Bahn
`,
		},
		{
			file: "de-personal", from: "Anna Weber <anna.weber@example.de>", to: de, tz: "+0200",
			subject: "Geburtstag am Samstag", date: "2025-05-14 18:20", cs: "utf-8", cte: "8bit",
			text: `Hallo Jonas,

wir feiern Papas Geburtstag am Samstag ab 15 Uhr bei uns im Garten.
Kannst du einen Kuchen mitbringen? Ich mache den Kartoffelsalat.

Liebe Grüße
Anna
`,
		},
		{
			file: "de-business-angebot", from: "Thomas Schneider <t.schneider@schneider-metallbau.example.de>", to: de, tz: "+0100",
			subject: "Angebot Nr. 2025-118 Geländer Treppenhaus", date: "2025-03-19 14:05", cs: "iso-8859-15", cte: "quoted-printable",
			mailer: "X-Mailer: Microsoft Outlook 16.0",
			text: `Sehr geehrter Herr Weber,

vielen Dank für Ihre Anfrage. Anbei erhalten Sie unser Angebot für das Edelstahlgeländer im Treppenhaus.

Angebotssumme: 4.860,00 € zzgl. MwSt.
Lieferzeit: ca. 4 Wochen nach Auftragserteilung

Für Rückfragen stehe ich Ihnen gerne zur Verfügung.

Mit freundlichen Grüßen
Thomas Schneider
Schneider Metallbau GmbH
`,
			att: []part{{ctype: "application/pdf", name: "Angebot_2025-118.pdf", body: pdf("Angebot 2025-118", "Schneider Metallbau GmbH", "Summe 4.860,00 EUR")}},
		},
		{
			file: "de-stripe-quittung", from: "Pixelwerk Studio <receipts+acct_1Nabc2DEF3ghi4JK@stripe.com>", to: de, tz: "+0100",
			subject: "Ihre Quittung von Pixelwerk Studio #2841-7730", date: "2025-10-01 08:12", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"o1.ptr1234.stripe.com"},
			text: `Quittung von Pixelwerk Studio
Bezahlter Betrag: 29,00 €
Zahlungsdatum: 1. Oktober 2025
Zahlungsmethode: Visa - 4242

Zusammenfassung
  Pixelwerk Pro (monatlich)   29,00 €
  Gesamtbetrag                29,00 €

Bei Fragen kontaktieren Sie uns unter support@pixelwerk.example.de.

Quittung ansehen: https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xTmFiYzJERUYzZ2hpNEpLKOjw
`,
			html: `<html><body style="font-family:-apple-system,Helvetica,Arial"><h2>Quittung von Pixelwerk Studio</h2>
<p>Bezahlter Betrag <b>29,00 €</b><br>Zahlungsdatum 1. Oktober 2025<br>Zahlungsmethode Visa - 4242</p>
<table><tr><td>Pixelwerk Pro (monatlich)</td><td>29,00 €</td></tr><tr><td><b>Gesamtbetrag</b></td><td><b>29,00 €</b></td></tr></table>
<p><a href="https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xTmFiYzJERUYzZ2hpNEpLKOjw">Quittung ansehen</a></p>
<p style="font-size:12px;color:#8898aa">Stripe, 354 Oyster Point Blvd, South San Francisco, CA 94080</p></body></html>`,
		},
		{
			file: "de-telekom-rechnung", from: "Telekom <rechnung@telekom.de>", to: de, tz: "+0100",
			subject: "Ihre Telekom Mobilfunk Rechnung für Januar 2026", date: "2026-01-12 05:30", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Guten Tag Jonas Weber,

Ihre aktuelle Rechnung steht im Kundencenter bereit.

Rechnungsbetrag: 39,95 €
Der Betrag wird am 20.01.2026 von Ihrem Konto abgebucht.

Zur Rechnung: https://www.telekom.de/kundencenter/rechnung

Freundliche Grüße
Ihre Telekom
`,
		},
		{
			file: "de-heise-newsletter", from: "heise online <newsletter@heise.de>", to: de, tz: "+0100",
			subject: "heise online Newsletter: Die wichtigsten Meldungen des Tages", date: "2025-12-09 17:00", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://www.heise.de/newsletter/manage", "newsletter-unsubscribe@heise.de"),
			text: `Die wichtigsten Meldungen des Tages

* Linux 6.18 ist erschienen
  https://www.heise.de/news/Linux-6-18-ist-erschienen-10000001.html
* EU einigt sich auf Regeln für KI-Modelle
  https://www.heise.de/news/EU-einigt-sich-10000002.html

Newsletter verwalten: https://www.heise.de/newsletter/manage
Heise Medien GmbH & Co. KG, Karl-Wiechert-Allee 10, 30625 Hannover
`,
		},

		// ---- Netherlands ----
		{
			file: "nl-rabobank-bericht", from: "Rabobank <noreply@rabobank.nl>", to: nl, tz: "+0100",
			subject: "U heeft een nieuw bericht in Rabo Internetbankieren", date: "2025-03-12 09:30", cs: "utf-8", cte: "quoted-printable",
			text: `Beste mevrouw De Vries,

Er staat een nieuw bericht voor u klaar in Rabo Internetbankieren en de Rabo App.
Log in via https://www.rabobank.nl/ of open de Rabo App om het bericht te lezen.

Wij vragen u nooit om via een link in een e-mail in te loggen of uw gegevens te bevestigen.

Met vriendelijke groet,
Rabobank
`,
		},
		{
			file: "nl-ing-afschrift", from: "ING <info@ing.nl>", to: nl, tz: "+0100",
			subject: "Je jaaroverzicht 2025 staat klaar", date: "2026-01-15 10:00", cs: "utf-8", cte: "quoted-printable",
			text: `Hoi Sanne,

Je jaaroverzicht 2025 staat klaar in Mijn ING. Handig voor je belastingaangifte.

Bekijk het in de ING App of op https://mijn.ing.nl/

Groet,
ING
`,
		},
		{
			file: "nl-postnl-pakket", from: "PostNL <noreply@postnl.nl>", to: nl, tz: "+0100",
			subject: "Je pakket van bol wordt vandaag bezorgd", date: "2025-11-25 07:45", cs: "utf-8", cte: "quoted-printable",
			text: `Hoi Sanne de Vries,

Goed nieuws! Je pakket van bol wordt vandaag bezorgd tussen 12:45 en 15:15.

Track & Trace: 3SABCD1234567

Volg je pakket:
https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1012AB

Groet,
PostNL
`,
			html: `<html><body><p>Hoi Sanne de Vries,</p><p>Goed nieuws! Je pakket van bol wordt vandaag bezorgd tussen <b>12:45 en 15:15</b>.</p>
<p><a href="https://jouw.postnl.nl/track-and-trace/3SABCD1234567-NL-1012AB">Volg je pakket</a></p><p>Groet,<br>PostNL</p></body></html>`,
		},
		{
			file: "nl-belastingdienst", from: "Belastingdienst <noreply@belastingdienst.nl>", to: nl, tz: "+0100",
			subject: "U heeft een nieuw bericht in Mijn Belastingdienst", date: "2025-03-03 08:00", cs: "utf-8", cte: "quoted-printable",
			text: `Geachte heer/mevrouw,

Er staat een nieuw bericht voor u klaar in de Berichtenbox van MijnOverheid en in Mijn Belastingdienst.

Log in op https://www.belastingdienst.nl/ of https://mijn.overheid.nl/ met uw DigiD om het bericht te lezen.

In deze e-mail staan geen links om in te loggen met uw DigiD. Wij vragen u nooit om persoonlijke gegevens per e-mail.

Met vriendelijke groet,
Belastingdienst
`,
		},
		{
			file: "nl-bol-bestelling", from: "bol <noreply@bol.com>", to: nl, tz: "+0100",
			subject: "Bedankt voor je bestelling (bestelnummer 2451234567)", date: "2025-11-23 20:02", cs: "utf-8", cte: "quoted-printable",
			text: `Hoi Sanne,

Bedankt voor je bestelling! We gaan er meteen mee aan de slag.

Bestelnummer: 2451234567
  Philips Airfryer XL       € 129,99
  Verzendkosten             € 0,00
  Totaal                    € 129,99

Verwachte levering: dinsdag 25 november

Bekijk je bestelling: https://www.bol.com/nl/rnwy/account/bestellingen/overzicht

Groet,
bol
`,
		},
		{
			file: "nl-coolblue-newsletter", from: "Coolblue <nieuwsbrief@coolblue.nl>", to: nl, tz: "+0100",
			subject: "Black Friday bij Coolblue: tot 40% korting", date: "2025-11-28 07:00", cs: "utf-8", cte: "base64",
			hdr: unsub("https://www.coolblue.nl/mijn-coolblue/nieuwsbrief", ""),
			html: `<html><body><table width="600" align="center"><tr><td><h1>Black Friday</h1><p>Tot 40% korting op laptops, tv's en koffiemachines.</p>
<p><a href="https://www.coolblue.nl/black-friday">Bekijk alle deals</a></p>
<p style="font-size:11px">Je ontvangt deze nieuwsbrief omdat je je hebt aangemeld. <a href="https://www.coolblue.nl/mijn-coolblue/nieuwsbrief">Afmelden</a><br>Coolblue B.V., Weena 664, 3012 CN Rotterdam</p></td></tr></table></body></html>`,
		},
		{
			file: "nl-business-offerte", from: "Pieter Bakker <pieter@bakker-installatie.example.nl>", to: nl, tz: "+0200",
			subject: "Offerte zonnepanelen", date: "2025-06-04 15:40", cs: "utf-8", cte: "quoted-printable",
			text: `Beste Sanne,

Zoals besproken stuur ik je hierbij de offerte voor 10 zonnepanelen inclusief omvormer en montage.

Totaalbedrag: € 5.450,- (btw 0%)
Geldig tot: 4 juli 2025

Laat gerust weten als je vragen hebt.

Met vriendelijke groet,
Pieter Bakker
Bakker Installatietechniek
`,
			att: []part{{ctype: "application/pdf", name: "Offerte-2025-044.pdf", body: pdf("Offerte 2025-044", "Bakker Installatietechniek", "Totaal EUR 5.450,-")}},
		},

		// ---- France ----
		{
			file: "fr-credit-agricole-releve", from: "Crédit Agricole <noreply@credit-agricole.fr>", to: fr, tz: "+0100",
			subject: "Votre relevé de compte est disponible", date: "2025-02-06 08:20", cs: "iso-8859-1", cte: "quoted-printable",
			text: `Madame Martin,

Votre relevé de compte de janvier 2025 est disponible dans votre espace client.

Pour le consulter, connectez-vous sur https://www.credit-agricole.fr/ ou dans l'application Ma Banque.

Le Crédit Agricole ne vous demandera jamais vos codes d'accès par e-mail.

Cordialement,
Votre Caisse régionale de Crédit Agricole
`,
		},
		{
			file: "fr-colissimo", from: "Colissimo <noreply@colissimo.fr>", to: fr, tz: "+0100",
			subject: "Votre colis arrive aujourd'hui", date: "2025-12-11 07:10", cs: "utf-8", cte: "quoted-printable",
			text: `Bonjour Camille Martin,

Votre colis 6A12345678901 envoyé par Fnac sera livré aujourd'hui.

Suivre votre colis :
https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901

En cas d'absence, votre colis sera déposé dans le bureau de poste le plus proche.

À bientôt,
Colissimo - La Poste
`,
		},
		{
			file: "fr-sncf-billet", from: "SNCF Connect <noreply@sncf-connect.com>", to: fr, tz: "+0200",
			subject: "Votre e-billet Paris - Lyon du 12 juillet", date: "2025-07-01 12:34", cs: "utf-8", cte: "quoted-printable",
			text: `Bonjour Camille,

Votre réservation est confirmée.

Référence dossier : QWERTY
Aller : samedi 12 juillet 2025, Paris Gare de Lyon 09:00 -> Lyon Part-Dieu 11:00, TGV INOUI 6605
Voiture 14, place 82
Prix : 49,00 €

Retrouvez votre billet dans l'application SNCF Connect ou sur https://www.sncf-connect.com/app/trips

Bon voyage !
SNCF Connect
`,
		},
		{
			file: "fr-fnac-commande", from: "Fnac.com <commande@fnac.com>", to: fr, tz: "+0100",
			subject: "Confirmation de votre commande n°1234ABCD5678", date: "2025-12-08 21:03", cs: "utf-8", cte: "quoted-printable",
			text: `Bonjour Camille,

Merci pour votre commande !

Commande n°1234ABCD5678
  Livre : "L'Étranger" - Albert Camus   7,90 €
  Frais de port                         0,00 €
  Total                                 7,90 €

Suivre ma commande : https://secure.fnac.com/account/orders

À très vite sur Fnac.com
`,
		},
		{
			file: "fr-lemonde-newsletter", from: "Le Monde <newsletters@lemonde.fr>", to: fr, tz: "+0100",
			subject: "La Matinale du Monde : l'essentiel de l'actualité", date: "2025-10-21 06:30", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://www.lemonde.fr/newsletters/desinscription", ""),
			html: `<html><body><h2>La Matinale</h2>
<p><a href="https://www.lemonde.fr/economie/article/2025/10/21/budget-2026_6600001_3234.html">Budget 2026 : ce que contient le projet du gouvernement</a></p>
<p><a href="https://www.lemonde.fr/planete/article/2025/10/21/climat_6600002_3244.html">Climat : l'été 2025, le deuxième plus chaud jamais mesuré en France</a></p>
<p style="font-size:11px">Vous recevez cette newsletter car vous y êtes inscrit. <a href="https://www.lemonde.fr/newsletters/desinscription">Se désinscrire</a></p></body></html>`,
		},
		{
			file: "fr-business-devis", from: "Julien Moreau <j.moreau@moreau-renovation.example.fr>", to: fr, tz: "+0200",
			subject: "Devis rénovation salle de bain", date: "2025-04-23 17:12", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Bonjour Madame Martin,

Suite à notre visite de mardi, veuillez trouver ci-joint notre devis pour la rénovation de votre salle de bain.

Montant total : 8 450,00 € TTC
Durée des travaux : environ trois semaines
Début possible : à partir du 2 juin

Je reste à votre disposition pour toute question.

Bien cordialement,
Julien Moreau
Moreau Rénovation
`,
			att: []part{{ctype: "application/pdf", name: "Devis-2025-031.pdf", body: pdf("Devis 2025-031", "Moreau Renovation", "Total 8 450,00 EUR TTC")}},
		},
		{
			file: "fr-impots-avis", from: "impots.gouv.fr <ne-pas-repondre@dgfip.finances.gouv.fr>", to: fr, tz: "+0200",
			subject: "Votre avis d'impôt sur le revenu est disponible", date: "2025-07-25 09:00", cs: "utf-8", cte: "quoted-printable",
			text: `Madame, Monsieur,

Votre avis d'impôt sur les revenus de 2024 est disponible dans votre espace particulier sur impots.gouv.fr, rubrique "Documents".

Connectez-vous sur https://www.impots.gouv.fr/ pour le consulter.

La DGFiP ne vous demandera jamais vos coordonnées bancaires par courriel.

La Direction générale des Finances publiques
`,
		},

		// ---- Portugal and Brazil ----
		{
			file: "br-bb-extrato", from: "Banco do Brasil <comunicado@bb.com.br>", to: pt, tz: "-0300",
			subject: "Seu extrato mensal está disponível", date: "2025-05-05 09:00", cs: "iso-8859-1", cte: "quoted-printable",
			text: `Olá, João Silva.

O extrato da sua conta corrente referente a abril de 2025 já está disponível no app BB e no site https://www.bb.com.br/.

O Banco do Brasil não envia links para atualização de dados ou senhas por e-mail.

Atenciosamente,
Banco do Brasil
`,
		},
		{
			file: "br-correios-rastreamento", from: "Correios <naoresponda@correios.com.br>", to: pt, tz: "-0300",
			subject: "Seu objeto saiu para entrega ao destinatário", date: "2025-08-12 08:15", cs: "utf-8", cte: "quoted-printable",
			text: `Olá, João Silva.

O objeto NL123456789BR saiu para entrega ao destinatário.

Acompanhe: https://rastreamento.correios.com.br/app/index.php

Correios
`,
		},
		{
			file: "br-mercadolivre-compra", from: "Mercado Livre <info@mercadolivre.com>", to: pt, tz: "-0300",
			subject: "Você comprou Fone de Ouvido Bluetooth JBL", date: "2025-09-18 22:10", cs: "utf-8", cte: "base64",
			text: `Olá, João!

Sua compra foi confirmada.

Fone de Ouvido Bluetooth JBL Tune 520BT
R$ 249,00 em 1x no cartão

Chega entre 22 e 24 de setembro.

Acompanhe sua compra: https://www.mercadolivre.com.br/minhas-compras

Mercado Livre
`,
		},
		{
			file: "pt-ctt-encomenda", from: "CTT Expresso <notificacoes@ctt.pt>", to: ptpt, tz: "+0000",
			subject: "A sua encomenda será entregue hoje", date: "2025-11-06 08:30", cs: "utf-8", cte: "quoted-printable",
			text: `Olá, Inês Costa.

A sua encomenda RU123456789PT será entregue hoje, entre as 10h e as 14h.

Acompanhe o estado da sua encomenda:
https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects=RU123456789PT

Obrigado,
CTT - Correios de Portugal
`,
		},
		{
			file: "pt-business-orcamento", from: "Rui Ferreira <rui.ferreira@ferreira-lda.example.pt>", to: ptpt, tz: "+0100",
			subject: "Orçamento para manutenção do site", date: "2025-02-17 11:25", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Bom dia Inês,

Conforme combinado na reunião de sexta-feira, envio em anexo o orçamento para a manutenção anual do site.

Valor anual: 1.800,00 € + IVA
Inclui: atualizações, cópias de segurança e suporte por e-mail.

Fico a aguardar o seu feedback.

Cumprimentos,
Rui Ferreira
Ferreira & Filhos, Lda.
`,
			att: []part{{ctype: "application/pdf", name: "Orcamento_2025_07.pdf", body: pdf("Orcamento 2025/07", "Ferreira & Filhos Lda", "1.800,00 EUR + IVA")}},
		},
		{
			file: "br-nubank-fatura", from: "Nubank <todomundo@nubank.com.br>", to: pt, tz: "-0300",
			subject: "A fatura do seu cartão fechou", date: "2025-10-03 07:00", cs: "utf-8", cte: "quoted-printable",
			text: `Oi, João!

A fatura do seu cartão de crédito fechou em R$ 1.284,37.
Vencimento: 10 de outubro.

Você pode pagar pelo app do Nubank. Saiba mais em https://nubank.com.br/

Nubank
`,
		},

		// ---- Spain ----
		{
			file: "es-correos-envio", from: "Correos <noreply@correos.es>", to: es, tz: "+0100",
			subject: "Tu envío está en reparto", date: "2025-12-03 08:40", cs: "utf-8", cte: "quoted-printable",
			text: `Hola Lucía,

Tu envío PQ4ABC0123456780128001 está en reparto y lo recibirás hoy.

Sigue tu envío en:
https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number=PQ4ABC0123456780128001

Correos
`,
		},
		{
			file: "es-bbva-extracto", from: "BBVA <bbva@comunica.bbva.com>", to: es, tz: "+0100",
			subject: "Ya tienes disponible tu extracto de noviembre", date: "2025-12-02 09:00", cs: "iso-8859-1", cte: "quoted-printable",
			text: `Hola Lucía:

Ya puedes consultar el extracto de noviembre de tu cuenta en la app BBVA o en https://www.bbva.es/.

Recuerda que BBVA nunca te pedirá tus claves por correo electrónico.

Un saludo,
BBVA
`,
		},
		{
			file: "es-amazon-pedido", from: "Amazon.es <confirmar-envio@amazon.es>", to: es, tz: "+0100",
			subject: "Tu pedido de Amazon.es de \"Cafetera Nespresso...\" se ha enviado", date: "2025-11-12 15:22", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a7-22.smtp-out.eu-west-1.amazonses.com"},
			text: `Hola Lucía García:

Tu pedido se ha enviado.

Pedido n.º 404-1234567-7654321
Llegada: jueves, 13 de noviembre

  Cafetera Nespresso Vertuo Pop   79,00 €

Seguir envío: https://www.amazon.es/gp/your-account/ship-track?orderId=404-1234567-7654321
`,
		},
		{
			file: "es-business-presupuesto", from: "Carlos López <carlos.lopez@lopez-asesores.example.es>", to: es, tz: "+0200",
			subject: "Presupuesto asesoría fiscal 2025", date: "2025-05-27 10:05", cs: "windows-1252", cte: "quoted-printable",
			text: `Estimada Lucía:

Como acordamos por teléfono, le adjunto el presupuesto para la asesoría fiscal y contable de 2025.

Honorarios mensuales: 180 € + IVA
Incluye: declaraciones trimestrales, contabilidad y nóminas de hasta 3 empleados.

Quedo a su disposición para cualquier aclaración.

Un cordial saludo,
Carlos López
López Asesores, S.L.
`,
			att: []part{{ctype: "application/pdf", name: "Presupuesto_LA-2025-19.pdf", body: pdf("Presupuesto LA-2025-19", "Lopez Asesores S.L.", "180 EUR + IVA / mes")}},
		},
		{
			file: "es-renfe-billete", from: "Renfe <venta@renfe.es>", to: es, tz: "+0200",
			subject: "Confirmación de compra. Localizador: X7K2LM", date: "2025-06-20 19:48", cs: "utf-8", cte: "quoted-printable",
			text: `Gracias por viajar con Renfe.

Localizador: X7K2LM
Trayecto: Madrid-Puerta de Atocha - Barcelona-Sants
Fecha: 28/06/2025, salida 08:00, llegada 10:30
Tren: AVE 03063, coche 5, plaza 7A
Importe: 45,60 €

Consulta tu billete en https://www.renfe.com/es/es

Renfe Viajeros
`,
		},

		// ---- Italy ----
		{
			file: "it-poste-spedizione", from: "Poste Italiane <noreply@posteitaliane.it>", to: it, tz: "+0100",
			subject: "La tua spedizione è in consegna", date: "2025-12-16 08:05", cs: "utf-8", cte: "quoted-printable",
			text: `Gentile Marco Rossi,

la spedizione 1UW1234567890 è in consegna oggi.

Puoi seguire la spedizione su:
https://www.poste.it/cerca/index.html#/risultati-spedizioni/1UW1234567890

Poste Italiane non ti chiederà mai dati personali o codici via e-mail.

Poste Italiane
`,
		},
		{
			file: "it-business-preventivo", from: "Giulia Bianchi <g.bianchi@bianchi-grafica.example.it>", to: it, tz: "+0200",
			subject: "Preventivo per il nuovo logo", date: "2025-09-09 12:30", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Buongiorno Marco,

come concordato, ti invio il preventivo per la realizzazione del nuovo logo e dell'immagine coordinata.

Importo: 1.200,00 € + IVA
Tempi di consegna: tre settimane dall'approvazione

Resto a disposizione per qualsiasi chiarimento.

Cordiali saluti,
Giulia Bianchi
Bianchi Grafica
`,
		},
		{
			file: "it-trenitalia-biglietto", from: "Trenitalia <noreply@trenitalia.it>", to: it, tz: "+0200",
			subject: "Trenitalia - Conferma acquisto PNR ABC12D", date: "2025-08-01 21:30", cs: "utf-8", cte: "quoted-printable",
			text: `Gentile Marco Rossi,

grazie per aver acquistato su trenitalia.com.

Codice biglietto (PNR): ABC12D
Roma Termini 09:10 -> Milano Centrale 12:20, Frecciarossa 9530
Carrozza 6, posto 12D
Importo: 59,90 €

Gestisci il tuo viaggio su https://www.trenitalia.com/

Buon viaggio!
Trenitalia
`,
		},
		{
			file: "it-personal", from: "Laura Rossi <laura.rossi@example.it>", to: it, tz: "+0200",
			subject: "Cena domenica", date: "2025-10-10 13:15", cs: "utf-8", cte: "8bit",
			text: `Ciao Marco,

domenica facciamo la cena da mamma alle 20. Porti tu il vino?
Se riesci passa anche a prendere la zia.

Un abbraccio,
Laura
`,
		},

		// ---- English: developer tools, SaaS, marketing, personal ----
		{
			file: "en-github-pr-review", from: "Priya Nair <notifications@github.com>", to: "example-org/api <api@noreply.github.com>", tz: "+0000",
			subject: "Re: [example-org/api] Add retry with backoff to webhook sender (PR #482)", date: "2025-09-03 14:22", cs: "utf-8", cte: "quoted-printable",
			replyTo: "example-org/api <reply+ABCDEFGHIJKLMNOPQRSTUV@reply.github.com>", msgidDom: "github.com",
			inReply: "example-org/api/pull/482@github.com",
			hops:    []string{"out-21.smtp.github.com"}, mx: "mx1.example.co.uk",
			hdr: []string{"List-ID: example-org/api <api.example-org.github.com>", "List-Archive: https://github.com/example-org/api", "List-Unsubscribe: <https://github.com/notifications/unsubscribe/ABCDEF123456>", "X-GitHub-Reason: review_requested"},
			text: `@priya-nair approved this pull request.

Looks good. One nit: the jitter should be applied after the cap, otherwise the last retries all land at the same moment.

> +	delay := min(base<<attempt, maxDelay)

—
Reply to this email directly, view it on GitHub:
https://github.com/example-org/api/pull/482#pullrequestreview-2345678901
You are receiving this because your review was requested.
`,
		},
		{
			file: "en-github-ssh-key", from: "GitHub <noreply@github.com>", to: en, tz: "+0000",
			subject: "[GitHub] A new SSH authentication public key was added to your account", date: "2025-04-02 10:11", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"out-28.smtp.github.com"},
			text: `Hey emily-clarke!

The following SSH key was added to your account:

laptop-2025
SHA256:Zb7Xj3kqP9mVw2nT4s6dR8fH1lC0yU5aE3iO7gK2bNc

If you believe this key was added in error, you can remove the key and disable access at the following location:

https://github.com/settings/keys

To see this and other security events for your account, visit https://github.com/settings/security-log

If you run into problems, please contact support by visiting https://github.com/contact

Thanks,
The GitHub Team
`,
		},
		{
			file: "en-jira-assigned", from: "Ben Howard (Jira) <jira@example-team.atlassian.net>", to: en, tz: "+0100",
			subject: "[JIRA] (OPS-1287) Renew TLS certificate for status page", date: "2025-11-18 16:03", cs: "utf-8", cte: "quoted-printable",
			msgidDom: "Atlassian.JIRA", hops: []string{"mail-1.jira.atlassian.net"},
			text: `Ben Howard assigned OPS-1287 to you

Renew TLS certificate for status page

Change By: Ben Howard
Assignee: Emily Clarke
Priority: High
Due date: 25/Nov/25

The current certificate expires on 30 November. Please renew it and update the load balancer.

View issue: https://example-team.atlassian.net/browse/OPS-1287
`,
		},
		{
			file: "en-stripe-receipt", from: "Linear <receipts+acct_1Mxyz9ABC8def7GH@stripe.com>", to: en, tz: "+0000",
			subject: "Your receipt from Linear #1932-4410", date: "2025-08-01 00:14", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"o2.ptr5678.stripe.com"},
			text: `Receipt from Linear
Amount paid: $48.00
Date paid: Aug 1, 2025
Payment method: Mastercard - 5454

Summary
  Linear Standard x 6 seats   $48.00
  Amount charged              $48.00

If you have any questions, contact us at support@linear.app.

View receipt: https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xTXh5ejlBQkM4ZGVmN0dIKJ2k
`,
		},
		{
			file: "en-google-calendar-invite", from: "Ben Howard <calendar-notification@google.com>", to: en, tz: "+0000",
			subject: "Invitation: Q1 planning @ Tue 13 Jan 2026 10:00 - 11:00 (GMT)", date: "2026-01-06 09:12", cs: "utf-8",
			replyTo: "Ben Howard <ben.howard@example.co.uk>", hops: []string{"mail-sor-f73.google.com"},
			root: alt("utf-8", "quoted-printable", `You have been invited to the following event.

Q1 planning
When: Tuesday 13 Jan 2026 10:00 - 11:00 (GMT)
Where: Meeting room 2 / https://meet.google.com/abc-defg-hij
Organiser: Ben Howard

View your event at https://calendar.google.com/calendar/event?action=VIEW&eid=NWV0cDVhcWZ0b3Ax
Going? Yes - Maybe - No

Invitation from Google Calendar
`, "", part{ctype: "text/calendar; method=REQUEST", cs: "utf-8", cte: "7bit",
				body: ics("-//Google Inc//Google Calendar 70.9054//EN", "5etp5aqftop1k9s2@google.com", "Ben Howard:mailto:ben.howard@example.co.uk", "emily.clarke@example.co.uk",
					"Q1 planning", "Meeting room 2", "20260113T100000Z", "20260113T110000Z", "20260106T091200Z")}),
		},
		{
			file: "en-outlook-invite", from: "Daniel Hughes <daniel.hughes@hughes-partners.example.com>", to: en, tz: "+0000",
			subject: "Contract review call", date: "2025-10-14 11:45", cs: "utf-8",
			root: alt("utf-8", "quoted-printable", `Hi Emily,

Let's go through the revised contract together. Dial-in details below.

Microsoft Teams meeting
Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZmE0NjI2@thread.v2/0

Daniel
`, "", part{ctype: "text/calendar; method=REQUEST", cs: "utf-8", cte: "base64",
				body: ics("-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "040000008200E00074C5B7101A82E0080000000010A1B2C3D4E5F6", "Daniel Hughes:mailto:daniel.hughes@hughes-partners.example.com", "emily.clarke@example.co.uk",
					"Contract review call", "Microsoft Teams Meeting", "20251016T140000Z", "20251016T143000Z", "20251014T114500Z")}),
		},
		{
			file: "en-personal", from: "Tom Clarke <tom.clarke@example.com>", to: en, tz: "+0100",
			subject: "Walk on Sunday?", date: "2025-04-24 20:31", cs: "us-ascii", cte: "7bit",
			text: `Hi Em,

Fancy a walk up the hill on Sunday if the weather holds? I can pick you up at 10.
Bring the dog, he loved it last time.

Tom
`,
		},
		{
			file: "en-substack-newsletter", from: "The Platform Letter <theplatformletter@substack.com>", to: en, tz: "+0000",
			subject: "Why your on-call rotation is burning people out", date: "2025-09-21 13:00", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://theplatformletter.substack.com/action/disable_email?token=eyJ1c2VyX2lkIjo", ""),
			html: `<html><body><h1>Why your on-call rotation is burning people out</h1>
<p>Most on-call pain comes from alerts nobody owns. Here is how three teams cut their pages by half.</p>
<p><a href="https://theplatformletter.substack.com/p/why-your-on-call-rotation-is-burning">Read on Substack</a></p>
<p style="font-size:11px"><a href="https://theplatformletter.substack.com/action/disable_email?token=eyJ1c2VyX2lkIjo">Unsubscribe</a> · Substack Inc, 111 Sutter St, San Francisco</p></body></html>`,
		},
		{
			file: "en-ikea-marketing", from: "IKEA Family <noreply@email.ikea.co.uk>", to: en, tz: "+0000",
			subject: "Members save 20% on bedroom storage this week", date: "2026-02-03 08:00", cs: "utf-8", cte: "base64",
			hdr: unsub("https://www.ikea.com/gb/en/profile/preferences/", ""),
			html: `<html><body><table width="600" align="center"><tr><td><img src="https://www.ikea.com/images/email/family-bedroom.jpg" alt="IKEA Family"></td></tr>
<tr><td><h2>Members save 20% on bedroom storage</h2><p>This week only, IKEA Family members get 20% off PAX wardrobes and MALM chests of drawers.</p>
<p><a href="https://www.ikea.com/gb/en/offers/family-offers/">See the offers</a></p>
<p style="font-size:11px">You are receiving this because you are an IKEA Family member. <a href="https://www.ikea.com/gb/en/profile/preferences/">Manage preferences or unsubscribe</a></p></td></tr></table></body></html>`,
		},
		{
			file: "en-aws-invoice", from: "Amazon Web Services <aws-billing@amazon.com>", to: en, tz: "+0000",
			subject: "Amazon Web Services Billing Statement Available [Account: 123456789012]", date: "2025-12-03 02:10", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a8-40.smtp-out.amazonses.com"},
			text: `Greetings from Amazon Web Services,

This e-mail confirms that your latest billing statement, for the account ending in 9012, is available on the AWS web site. Your account will be charged the following:

Total: $214.37

You can see a complete break down of all charges on the Billing Dashboard:
https://console.aws.amazon.com/billing/home#/bills

Thank you for using Amazon Web Services.
Sincerely,
Amazon Web Services
`,
		},
		{
			file: "en-google-security-alert", from: "Google <no-reply@accounts.google.com>", to: en, tz: "+0000",
			subject: "Security alert", date: "2025-05-17 19:52", cs: "utf-8", cte: "base64",
			hops: []string{"mail-sor-f41.google.com"},
			text: `A new sign-in on Mac
emily.clarke@example.co.uk

We noticed a new sign-in to your Google Account on a Mac device. If this was you, you don't need to do anything. If not, we'll help you secure your account.

Check activity
https://myaccount.google.com/notifications

You can also see security activity at
https://myaccount.google.com/notifications
`,
		},
		{
			file: "en-slack-password-reset", from: "Slack <no-reply@slack.com>", to: en, tz: "+0000",
			subject: "Slack password reset", date: "2025-06-30 08:44", cs: "utf-8", cte: "quoted-printable",
			text: `Hi Emily,

We received a request to reset the password for your Slack account in the example-team workspace.

Reset your password: https://example-team.slack.com/reset/d3b07384d113edec49eaa6238ad5ff00

If you didn't request this, you can ignore this email. The link expires in 24 hours.

Slack Technologies, 500 Howard Street, San Francisco
`,
		},
		{
			file: "en-ndr-office365", from: "Microsoft Outlook <postmaster@hughespartners.onmicrosoft.com>", to: "Daniel Hughes <daniel.hughes@hughes-partners.example.com>", tz: "+0000",
			subject: "Undeliverable: Contract review call", date: "2025-10-14 11:46", cs: "us-ascii",
			hops: []string{"AM0PR01MB1234.eurprd01.prod.exchangelabs.com"}, mx: "AM0PR01MB5678.eurprd01.prod.exchangelabs.com",
			root: dsn(`Your message to e.clarke-old@example.co.uk couldn't be delivered.

e.clarke-old wasn't found at example.co.uk.

Action Required: Unknown To address

How to Fix It
The address may be misspelled or may not exist. Try one or more of the following:
Retype the recipient's address, then resend the message.

Diagnostic information for administrators:
Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'
`, "us-ascii", "AM0PR01MB1234.eurprd01.prod.exchangelabs.com", "e.clarke-old@example.co.uk", "5.1.1",
				"550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", "Tue, 14 Oct 2025 11:45:58 +0000",
				`From: Daniel Hughes <daniel.hughes@hughes-partners.example.com>
To: e.clarke-old@example.co.uk
Subject: Contract review call
Date: Tue, 14 Oct 2025 11:45:52 +0000
Message-ID: <AM0PR01MB1234ABCDEF@AM0PR01MB1234.eurprd01.prod.exchangelabs.com>`),
		},
		{
			file: "en-ndr-postfix", from: "Mail Delivery System <MAILER-DAEMON@mail.example.de>", to: de, tz: "+0100",
			subject: "Undelivered Mail Returned to Sender", date: "2025-03-20 09:14", cs: "us-ascii", hops: []string{"mail.example.de"},
			root: dsn(`This is the mail system at host mail.example.de.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<info@schneider-metallbau.example.de>: host
    mx.schneider-metallbau.example.de[198.51.100.44] said: 550 5.7.1 Message
    rejected due to content restrictions (in reply to end of DATA command)
`, "us-ascii", "mail.example.de", "info@schneider-metallbau.example.de", "5.7.1",
				"550 5.7.1 Message rejected due to content restrictions", "Thu, 20 Mar 2025 09:14:02 +0100 (CET)",
				`From: Jonas Weber <jonas.weber@example.de>
To: info@schneider-metallbau.example.de
Subject: AW: Angebot Nr. 2025-118
Date: Thu, 20 Mar 2025 09:13:55 +0100
Message-ID: <20250320081355.ab12@example.de>`),
		},
		{
			file: "en-linkedin-message", from: "LinkedIn <messages-noreply@linkedin.com>", to: en, tz: "+0000",
			subject: "Sarah Patel sent you a message", date: "2025-07-22 12:40", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://www.linkedin.com/psettings/email-unsubscribe?lipi=urn%3Ali%3Apage%3Aemail", ""),
			text: `Sarah Patel
Engineering Manager at Example Systems

Hi Emily, great talk at the meetup last week. Would you be open to a quick chat about platform roles?

View message: https://www.linkedin.com/messaging/thread/2-YWJjZGVmZ2hpams=/

Unsubscribe: https://www.linkedin.com/psettings/email-unsubscribe?lipi=urn%3Ali%3Apage%3Aemail
LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085
`,
		},
		{
			file: "en-booking-confirmation", from: "Booking.com <noreply@booking.com>", to: en, tz: "+0000",
			subject: "Your booking is confirmed at Hotel Alfama Lisboa", date: "2025-03-28 18:05", cs: "utf-8", cte: "quoted-printable",
			text: `Thanks, Emily! Your booking in Lisbon is confirmed.

Hotel Alfama Lisboa
Check-in: Friday 2 May 2025 (from 15:00)
Check-out: Monday 5 May 2025 (until 11:00)
Confirmation number: 4123.567.890
Total price: € 412

Manage your booking: https://secure.booking.com/myreservations.html

Booking.com
`,
		},
		{
			file: "en-dropbox-shared", from: "Dropbox <no-reply@dropbox.com>", to: en, tz: "+0000",
			subject: "Daniel Hughes shared \"Contract v3\" with you", date: "2025-10-13 16:30", cs: "utf-8", cte: "quoted-printable",
			text: `Daniel Hughes (daniel.hughes@hughes-partners.example.com) invited you to view the folder "Contract v3" on Dropbox.

Go to folder: https://www.dropbox.com/scl/fo/a1b2c3d4e5f6g7h8/AAB1c2D3e4F5?rlkey=k9j8h7g6&dl=0

Enjoy!
The Dropbox team
`,
			html: `<html><body><p>Daniel Hughes (daniel.hughes@hughes-partners.example.com) invited you to view the folder "Contract v3" on Dropbox.</p>
<p><a href="https://www.dropbox.com/scl/fo/a1b2c3d4e5f6g7h8/AAB1c2D3e4F5?rlkey=k9j8h7g6&amp;dl=0" style="background:#0061fe;color:#fff;padding:10px 20px;text-decoration:none">Go to folder</a></p>
<p>Enjoy!<br>The Dropbox team</p></body></html>`,
		},
		{
			file: "en-docusign-envelope", from: "Daniel Hughes via Docusign <dse_na3@docusign.net>", to: en, tz: "+0000",
			replyTo: "Daniel Hughes <daniel.hughes@hughes-partners.example.com>",
			subject: "Please DocuSign: Services Agreement - Clarke.pdf", date: "2025-10-20 10:02", cs: "utf-8", cte: "quoted-printable",
			text: `Daniel Hughes sent you a document to review and sign.

REVIEW DOCUMENT: https://na3.docusign.net/Signing/EmailStart.aspx?a=3f1a9c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b&acct=7d8e9f0a-1b2c-3d4e-5f6a-7b8c9d0e1f2a&er=0a1b2c3d

Daniel Hughes
daniel.hughes@hughes-partners.example.com

Hi Emily, here is the agreement we discussed. Thanks, Daniel

Do Not Share This Email
This email contains a secure link to Docusign. Please do not share this email, link, or access code with others.
`,
		},
		{
			file: "en-paypal-receipt", from: "PayPal <service@paypal.co.uk>", to: en, tz: "+0000",
			subject: "Receipt for your payment to Etsy", date: "2025-11-30 14:58", cs: "utf-8", cte: "quoted-printable",
			text: `Hello Emily Clarke,

You sent a payment of £24.50 GBP to Etsy.

Transaction ID: 8AB12345CD678901E
Transaction date: 30 November 2025

View transaction details in your account: https://www.paypal.com/myaccount/transactions/

PayPal
`,
		},
		{
			file: "en-business-followup", from: "Sarah Patel <sarah.patel@example-systems.example.com>", to: en, tz: "+0000",
			subject: "Following up: platform team interview", date: "2025-07-29 09:05", cs: "utf-8", cte: "7bit",
			text: `Hi Emily,

Thanks again for chatting on Friday. The team would love to have you in for a technical conversation.
Would Tuesday 5 August at 2pm or Wednesday 6 August at 10am work for you?

Best,
Sarah
`,
		},
		{
			file: "en-zoom-invite", from: "Zoom <no-reply@zoom.us>", to: en, tz: "+0000",
			subject: "Daniel Hughes has invited you to a Zoom meeting", date: "2025-10-15 09:15", cs: "utf-8", cte: "quoted-printable",
			text: `Daniel Hughes is inviting you to a scheduled Zoom meeting.

Topic: Contract signing
Time: Oct 17, 2025 02:00 PM London

Join Zoom Meeting
https://us02web.zoom.us/j/84512345678?pwd=QwErTyUiOpAsDfGhJkLzXcVb

Meeting ID: 845 1234 5678
Passcode: 913572
`,
		},
		{
			file: "en-hmrc-update", from: "HMRC <noreply@confirmation.tax.service.gov.uk>", to: en, tz: "+0000",
			subject: "Your tax return has been received", date: "2026-01-24 16:20", cs: "utf-8", cte: "quoted-printable",
			text: `Dear Emily Clarke,

Thank you for submitting your Self Assessment tax return for the 2024 to 2025 tax year.

Submission reference: 1234567890ABCD

You can view your tax account at https://www.gov.uk/log-in-register-hmrc-online-services

HMRC will never ask for personal or financial information by email.

HM Revenue and Customs
`,
		},
		{
			file: "de-paypal-zahlung", from: "PayPal <service@paypal.de>", to: de, tz: "+0100",
			subject: "Sie haben eine Zahlung an Deutsche Bahn gesendet", date: "2025-09-10 21:18", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Hallo Jonas Weber,

Sie haben eine Zahlung über 59,99 € EUR an DB Vertrieb GmbH gesendet.

Transaktionscode: 3XY45678AB123456C
Transaktionsdatum: 10. September 2025

Details ansehen: https://www.paypal.com/myaccount/transactions/

PayPal
`,
		},
		{
			file: "fr-free-facture", from: "Free Mobile <freemobile@free-mobile.fr>", to: fr, tz: "+0100",
			subject: "Votre facture Free Mobile est disponible", date: "2025-11-02 04:30", cs: "iso-8859-15", cte: "quoted-printable",
			text: `Bonjour Camille Martin,

Votre facture du mois d'octobre 2025 d'un montant de 19,99 € est disponible dans votre Espace Abonné.

https://mobile.free.fr/account/

Le prélèvement sera effectué dans les prochains jours.

L'équipe Free Mobile
`,
		},
	}
}
