package attach

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols (docs/attachments.md lists them with their weights).
const (
	SymExecutable          = "ATT_EXECUTABLE"
	SymExecutableInArchive = "ATT_EXECUTABLE_IN_ARCHIVE"
	SymDisguisedExecutable = "ATT_DISGUISED_EXECUTABLE"
	SymDangerousExt        = "ATT_DANGEROUS_EXT"
	SymDangerousType       = "ATT_DANGEROUS_TYPE"
	SymDiskImage           = "ATT_DISK_IMAGE"
	SymDoubleExt           = "ATT_DOUBLE_EXT"
	SymRLOName             = "ATT_RTLO_NAME"
	SymLongSpaceName       = "ATT_LONG_SPACE_NAME"
	SymTypeMismatch        = "ATT_TYPE_MISMATCH"
	SymLNKCommand          = "ATT_LNK_COMMAND"
	SymLNKPaddedArgs       = "ATT_LNK_HIDDEN_ARGS"
	SymOneNoteCode         = "ATT_ONENOTE_EMBEDDED_CODE"
	SymTestSignature       = "ATT_TEST_SIGNATURE"
	SymHTMLSmuggling       = "ATT_HTML_SMUGGLING"

	SymArchiveEncrypted    = "ARCHIVE_ENCRYPTED"
	SymArchivePasswordText = "ARCHIVE_PASSWORD_IN_TEXT"
	SymArchiveBomb         = "ARCHIVE_BOMB"
	SymArchiveTooMany      = "ARCHIVE_TOO_MANY_FILES"
	SymArchiveTooDeep      = "ARCHIVE_TOO_DEEP"
	SymArchiveNested       = "ARCHIVE_NESTED"
	SymArchiveCorrupt      = "ARCHIVE_CORRUPT"
	SymArchiveUnsupported  = "ARCHIVE_UNSUPPORTED"
	SymArchiveHidden       = "ARCHIVE_HIDDEN_ENTRY"

	SymVBAPresent            = "OFFICE_VBA_PRESENT"
	SymVBAAutoExec           = "OFFICE_VBA_AUTOEXEC"
	SymVBASuspicious         = "OFFICE_VBA_SUSPICIOUS"
	SymVBAAutoExecSuspicious = "OFFICE_VBA_AUTOEXEC_SUSPICIOUS"
	SymVBAObfuscated         = "OFFICE_VBA_OBFUSCATED"
	SymVBAExecCapability     = "OFFICE_VBA_EXEC_CAPABILITY"
	SymXLM                   = "OFFICE_XLM_MACRO"
	SymXLMHidden             = "OFFICE_XLM_HIDDEN"
	SymXLMAutoOpen           = "OFFICE_XLM_AUTO_OPEN"
	SymMacroRenamed          = "OFFICE_MACRO_RENAMED"
	SymOfficeEncrypted       = "OFFICE_ENCRYPTED"
	SymOfficeDefaultPassword = "OFFICE_DEFAULT_PASSWORD"
	SymDDE                   = "OFFICE_DDE"
	SymRemoteTemplate        = "OFFICE_REMOTE_TEMPLATE"
	SymOLEPackage            = "OFFICE_OLE_PACKAGE"
	SymOLEPackageExec        = "OFFICE_OLE_PACKAGE_EXEC"
	SymRTFObject             = "OFFICE_RTF_OBJECT"
	SymRTFExploit            = "OFFICE_RTF_EXPLOIT"

	SymPDFJavaScript    = "PDF_JAVASCRIPT"
	SymPDFJSSuspicious  = "PDF_JS_SUSPICIOUS"
	SymPDFAutoAction    = "PDF_AUTO_ACTION"
	SymPDFOpenAction    = "PDF_OPENACTION"
	SymPDFLaunch        = "PDF_LAUNCH"
	SymPDFEmbeddedFile  = "PDF_EMBEDDED_FILE"
	SymPDFURI           = "PDF_URI"
	SymPDFEncrypted     = "PDF_ENCRYPTED"
	SymPDFObfuscatedNam = "PDF_OBFUSCATED_NAME"

	SymAVVirus       = "AV_VIRUS"
	SymAVUnavailable = "AV_UNAVAILABLE"
	SymAVSizeLimit   = "AV_SIZE_LIMIT"
)

func init() {
	m := pipeline.CategoryMalware
	c := pipeline.CategoryClean
	pipeline.Register(
		pipeline.SymbolDef{Name: SymExecutable, Weight: 6, Category: m, Group: "attach",
			EN: "An attachment is a Windows or Unix program (checked by content, not name).",
			JA: "添付ファイルが実行形式のプログラムです(名前ではなく中身で判定)。"},
		pipeline.SymbolDef{Name: SymExecutableInArchive, Weight: 7, Category: m, Group: "attach",
			EN: "An archive or document attached to the mail contains a program.",
			JA: "添付の圧縮ファイルや文書の中に実行形式のプログラムが入っています。"},
		pipeline.SymbolDef{Name: SymDisguisedExecutable, Weight: 8, Category: m, Group: "attach",
			EN: "A program is disguised under a harmless-looking name or MIME type (e.g. invoice.pdf).",
			JA: "プログラムが無害に見える名前やMIMEタイプ(例: invoice.pdf)で偽装されています。"},
		pipeline.SymbolDef{Name: SymDangerousExt, Weight: 5, Category: m, Group: "attach",
			EN: "A file name ends in an extension that runs code when opened (.exe, .js, .vbs, .hta, .lnk, ...).",
			JA: "開くとプログラムが動く拡張子(.exe .js .vbs .hta .lnk など)のファイルがあります。"},
		pipeline.SymbolDef{Name: SymDangerousType, Weight: 5, Category: m, Group: "attach",
			EN: "A file's content is a shortcut, help file, OneNote, installer or Java program.",
			JA: "ショートカット、ヘルプ、OneNote、インストーラー、Javaプログラムのいずれかが添付されています。"},
		pipeline.SymbolDef{Name: SymDiskImage, Weight: 5, Category: m, Group: "attach",
			EN: "A disk image (ISO, IMG, VHD) is attached: a common way to slip programs past Windows warnings.",
			JA: "ディスクイメージ(ISO/IMG/VHD)が添付されています。Windowsの警告を回避する手口によく使われます。"},
		pipeline.SymbolDef{Name: SymDoubleExt, Weight: 4, Category: m, Group: "attach",
			EN: "A file name has a decoy extension before the real one (report.pdf.exe).",
			JA: "ファイル名に偽の拡張子が重ねられています(report.pdf.exe など)。"},
		pipeline.SymbolDef{Name: SymRLOName, Weight: 6, Category: m, Group: "attach",
			EN: "A file name uses a right-to-left override character to reverse how its extension reads.",
			JA: "ファイル名に文字の向きを反転させる制御文字(RLO)が使われ、拡張子を偽装しています。"},
		pipeline.SymbolDef{Name: SymLongSpaceName, Weight: 3, Category: m, Group: "attach",
			EN: "A file name pads with many spaces to push its real extension out of sight.",
			JA: "ファイル名に大量の空白を入れて本当の拡張子を見えなくしています。"},
		pipeline.SymbolDef{Name: SymLNKCommand, Weight: 8, Category: m, Group: "attach",
			EN: "A shortcut (.lnk) starts a command interpreter or system tool (cmd, PowerShell, mshta, rundll32, ...): opening it runs a command.",
			JA: "ショートカット(.lnk)がコマンドやシステムツール(cmd、PowerShell、mshta、rundll32 など)を起動します。開くとコマンドが実行されます。"},
		pipeline.SymbolDef{Name: SymLNKPaddedArgs, Weight: 3, Category: m, Group: "attach",
			EN: "A shortcut hides its command line behind padding or an unusual length, so the properties dialog does not show it.",
			JA: "ショートカットのコマンドラインが空白の詰め込みや異常な長さで隠され、プロパティ画面に表示されません。"},
		pipeline.SymbolDef{Name: SymOneNoteCode, Weight: 7, Category: m, Group: "attach",
			EN: "A OneNote file embeds a script or program (the \"double-click to view\" lure used by Emotet and Qakbot).",
			JA: "OneNoteファイルにスクリプトやプログラムが埋め込まれています(Emotet・Qakbotが使った「ダブルクリックして表示」の手口)。"},
		pipeline.SymbolDef{Name: SymTestSignature, Weight: 20, Category: m, Group: "attach", MinAction: pipeline.ActionQuarantine,
			EN: "An attachment or a file inside one is an anti-virus test file (the EICAR string or ClamAV's clam.exe): treated as malware so the whole path can be tested without clamd.",
			JA: "添付ファイル(またはその中のファイル)がウイルス対策のテストファイル(EICAR文字列またはClamAVのclam.exe)です。clamdなしで検知経路を試せるよう、マルウェアとして扱います。"},
		pipeline.SymbolDef{Name: SymHTMLSmuggling, Weight: 6, Category: m, Group: "attach",
			EN: "An HTML file carries a program, script or archive encoded inside it (data: URI or base64 decoded by script: HTML smuggling).",
			JA: "HTMLファイルの中にプログラム・スクリプト・圧縮ファイルが埋め込まれています(data: URIやスクリプトで復号するbase64、HTMLスマグリング)。"},
		pipeline.SymbolDef{Name: SymTypeMismatch, Weight: 2, Category: m, Group: "attach",
			EN: "A file's content does not match its name or declared MIME type.",
			JA: "ファイルの中身が名前や宣言されたMIMEタイプと一致しません。"},

		pipeline.SymbolDef{Name: SymArchiveEncrypted, Unscannable: true, Weight: 2, Category: m, Group: "archive",
			EN: "A password-protected archive could not be opened, so its content was not checked.",
			JA: "パスワード付き圧縮ファイルを開けず、中身を検査できませんでした。"},
		pipeline.SymbolDef{Name: SymArchivePasswordText, Weight: 3, Category: m, Group: "archive",
			EN: "A password-protected archive opens with a password written in the mail itself (Emotet style).",
			JA: "パスワード付き圧縮ファイルが本文中のパスワードで開けました(Emotetの手口)。"},
		pipeline.SymbolDef{Name: SymArchiveBomb, Unscannable: true, Weight: 6, Category: m, Group: "archive",
			EN: "An archive expands far beyond its size (decompression bomb); expansion was stopped.",
			JA: "圧縮ファイルが異常な大きさに展開されます(解凍爆弾)。展開を打ち切りました。"},
		pipeline.SymbolDef{Name: SymArchiveTooMany, Unscannable: true, Weight: 1, Category: m, Group: "archive",
			EN: "An archive holds more files than sekisho opens; the rest was not checked.",
			JA: "圧縮ファイル内のファイル数が上限を超え、残りは検査していません。"},
		pipeline.SymbolDef{Name: SymArchiveTooDeep, Unscannable: true, Weight: 3, Category: m, Group: "archive",
			EN: "Archives are nested deeper than sekisho opens; the innermost content was not checked.",
			JA: "圧縮ファイルが上限を超えて入れ子になっており、最も内側は検査していません。"},
		pipeline.SymbolDef{Name: SymArchiveNested, Weight: 1, Category: m, Group: "archive",
			EN: "An archive contains another archive.",
			JA: "圧縮ファイルの中に別の圧縮ファイルがあります。"},
		pipeline.SymbolDef{Name: SymArchiveCorrupt, Weight: 0.5, Category: m, Group: "archive",
			EN: "An archive is damaged or malformed and could only be read in part.",
			JA: "圧縮ファイルが壊れているか不正な形式で、一部しか読めませんでした。"},
		pipeline.SymbolDef{Name: SymArchiveHidden, Weight: 3, Category: m, Group: "archive",
			EN: "A zip hides files its directory does not list (concatenated or malformed zip): tools disagree on what is inside.",
			JA: "zipの目録に載っていない隠しファイルがあります(連結・不正なzip)。ツールによって見える中身が異なります。"},
		pipeline.SymbolDef{Name: SymArchiveUnsupported, Unscannable: true, Weight: 0, Category: c, Group: "archive",
			EN: "An archive uses a compression method sekisho cannot open (its listing was still checked).",
			JA: "sekishoが展開できない圧縮方式です(ファイル一覧は検査しました)。"},

		pipeline.SymbolDef{Name: SymVBAPresent, Weight: 1.5, Category: m, Group: "office",
			EN: "An Office document contains VBA macros.",
			JA: "Office文書にVBAマクロが含まれています。"},
		pipeline.SymbolDef{Name: SymVBAAutoExec, Weight: 4, Category: m, Group: "office",
			EN: "An Office macro runs by itself when the document is opened or closed (AutoOpen, Workbook_Open, ...).",
			JA: "文書を開く(閉じる)だけで自動実行されるマクロがあります(AutoOpen、Workbook_Open など)。"},
		pipeline.SymbolDef{Name: SymVBASuspicious, Weight: 3, Category: m, Group: "office",
			EN: "An Office macro calls functions malware uses (Shell, CreateObject, URLDownloadToFile, PowerShell, ...).",
			JA: "マクロがマルウェアの使う関数(Shell、CreateObject、URLDownloadToFile、PowerShell など)を呼んでいます。"},
		pipeline.SymbolDef{Name: SymVBAAutoExecSuspicious, Weight: 10, Category: m, Group: "office", MinAction: pipeline.ActionQuarantine,
			EN: "An Office macro runs on open and starts programs or downloads: the classic malware dropper (Emotet).",
			JA: "文書を開くと自動実行され、プログラム起動やダウンロードを行うマクロです(Emotetなどの典型的な手口)。"},
		pipeline.SymbolDef{Name: SymVBAObfuscated, Weight: 3, Category: m, Group: "office",
			EN: "An Office macro hides its code (Chr() chains, StrReverse, long string joins).",
			JA: "マクロのコードが難読化されています(Chr()の連結、StrReverse、長い文字列連結など)。"},
		pipeline.SymbolDef{Name: SymVBAExecCapability, Weight: 6, Category: m, Group: "office",
			EN: "An Office macro can start programs, download files or run WMI commands, whatever starts it (a button, a form control, any event): no auto-open is needed for a dropper.",
			JA: "マクロがプログラムの起動・ファイルのダウンロード・WMIコマンドの実行を行えます。自動実行でなくても(ボタンやフォームコントロール、任意のイベントから)動くダウンローダーの特徴です。"},
		pipeline.SymbolDef{Name: SymXLM, Weight: 4, Category: m, Group: "office",
			EN: "An Excel workbook contains Excel 4.0 (XLM) macro sheets.",
			JA: "ExcelブックにExcel 4.0(XLM)マクロシートがあります。"},
		pipeline.SymbolDef{Name: SymXLMHidden, Weight: 4, Category: m, Group: "office",
			EN: "An Excel 4.0 macro sheet is hidden from the reader.",
			JA: "Excel 4.0マクロシートが非表示にされています。"},
		pipeline.SymbolDef{Name: SymXLMAutoOpen, Weight: 5, Category: m, Group: "office",
			EN: "An Excel 4.0 macro runs automatically when the workbook opens (Auto_Open).",
			JA: "ブックを開くとExcel 4.0マクロが自動実行されます(Auto_Open)。"},
		pipeline.SymbolDef{Name: SymMacroRenamed, Weight: 3, Category: m, Group: "office",
			EN: "A document with macros is named as a macro-free type (.docx/.xlsx) or as another format.",
			JA: "マクロ付き文書がマクロなしの形式(.docx/.xlsx)や別の形式の名前に偽装されています。"},
		pipeline.SymbolDef{Name: SymOfficeEncrypted, Unscannable: true, Weight: 2, Category: m, Group: "office",
			EN: "An Office document is encrypted, so its content could not be checked.",
			JA: "Office文書が暗号化されており、中身を検査できません。"},
		pipeline.SymbolDef{Name: SymOfficeDefaultPassword, Weight: 5, Category: m, Group: "office",
			EN: "An Excel file is encrypted with Excel's built-in default password only to hide from scanners.",
			JA: "Excelの既定パスワード(VelvetSweatshop)で暗号化され、検査を逃れようとしています。"},
		pipeline.SymbolDef{Name: SymDDE, Weight: 6, Category: m, Group: "office",
			EN: "A document contains a DDE field that can run commands when it is opened.",
			JA: "文書に開くとコマンドを実行できるDDEフィールドがあります。"},
		pipeline.SymbolDef{Name: SymRemoteTemplate, Weight: 7, Category: m, Group: "office",
			EN: "A document loads a template or object from the internet when opened (template injection).",
			JA: "文書を開くとインターネットからテンプレートやオブジェクトを読み込みます(テンプレートインジェクション)。"},
		pipeline.SymbolDef{Name: SymOLEPackage, Weight: 4, Category: m, Group: "office",
			EN: "A document embeds a file as an OLE Package object (one double-click runs it).",
			JA: "文書にOLEパッケージとしてファイルが埋め込まれています(ダブルクリックで実行されます)。"},
		pipeline.SymbolDef{Name: SymOLEPackageExec, Weight: 6, Category: m, Group: "office",
			EN: "An embedded OLE Package is a program or script, or runs a command line, when it is double-clicked.",
			JA: "埋め込まれたOLEパッケージがプログラムやスクリプトであるか、ダブルクリックでコマンドラインを実行します。"},
		pipeline.SymbolDef{Name: SymRTFObject, Weight: 2, Category: m, Group: "office",
			EN: "An RTF document embeds an OLE object.",
			JA: "RTF文書にOLEオブジェクトが埋め込まれています。"},
		pipeline.SymbolDef{Name: SymRTFExploit, Weight: 8, Category: m, Group: "office",
			EN: "An RTF document embeds an object class with well-known exploits (Equation Editor).",
			JA: "RTF文書に既知の脆弱性を持つオブジェクト(数式エディタなど)が埋め込まれています。"},

		pipeline.SymbolDef{Name: SymPDFJavaScript, Weight: 3, Category: m, Group: "pdf",
			EN: "A PDF contains JavaScript.",
			JA: "PDFにJavaScriptが含まれています。"},
		pipeline.SymbolDef{Name: SymPDFJSSuspicious, Weight: 3, Category: m, Group: "pdf",
			EN: "A PDF's JavaScript uses functions common in exploits (eval, unescape, util.printf, ...).",
			JA: "PDFのJavaScriptが攻撃によく使われる関数(eval、unescape など)を使っています。"},
		pipeline.SymbolDef{Name: SymPDFAutoAction, Weight: 4, Category: m, Group: "pdf",
			EN: "A PDF runs JavaScript or a program automatically when opened (OpenAction/AA).",
			JA: "PDFを開くとJavaScriptやプログラムが自動実行されます(OpenAction/AA)。"},
		pipeline.SymbolDef{Name: SymPDFOpenAction, Weight: 0, Category: c, Group: "pdf",
			EN: "A PDF has an action on open (often only a view setting).",
			JA: "PDFに開いたときの動作が設定されています(多くは表示設定のみ)。"},
		pipeline.SymbolDef{Name: SymPDFLaunch, Weight: 6, Category: m, Group: "pdf",
			EN: "A PDF contains a Launch action that starts a program or opens a file.",
			JA: "PDFにプログラムやファイルを起動するLaunchアクションがあります。"},
		pipeline.SymbolDef{Name: SymPDFEmbeddedFile, Weight: 2, Category: m, Group: "pdf",
			EN: "A PDF carries an embedded file (it was checked like an attachment).",
			JA: "PDFにファイルが埋め込まれています(添付ファイルと同様に検査しました)。"},
		pipeline.SymbolDef{Name: SymPDFURI, Weight: 0, Category: c, Group: "pdf",
			EN: "A PDF contains links; they are checked with the mail's other links.",
			JA: "PDFにリンクがあります。本文のリンクと同様に検査します。"},
		pipeline.SymbolDef{Name: SymPDFEncrypted, Weight: 1, Category: m, Group: "pdf",
			EN: "A PDF is encrypted, which limits what can be checked.",
			JA: "PDFが暗号化されており、検査できる範囲が限られます。"},
		pipeline.SymbolDef{Name: SymPDFObfuscatedNam, Weight: 4, Category: m, Group: "pdf",
			EN: "A PDF spells key names with escapes (/J#61vaScript) to hide from scanners.",
			JA: "PDFがキーワードをエスケープ表記(/J#61vaScript)して検査を逃れようとしています。"},

		pipeline.SymbolDef{Name: SymAVVirus, Weight: 20, Category: m, Group: "av", MinAction: pipeline.ActionReject,
			EN: "ClamAV found malware in the message.",
			JA: "ClamAVがマルウェアを検出しました。"},
		pipeline.SymbolDef{Name: SymAVUnavailable, Weight: 0, Category: c, Group: "av",
			EN: "ClamAV could not be reached; the message was passed without a virus scan (fail_safe = pass).",
			JA: "ClamAVに接続できず、ウイルス検査なしで通過させました(fail_safe = pass)。"},
		pipeline.SymbolDef{Name: SymAVSizeLimit, Weight: 0, Category: c, Group: "av", Unscannable: true,
			EN: "An attachment was larger than ClamAV's limit (or clamd skipped part of it at its own limits); it was not fully virus-scanned.",
			JA: "添付ファイルがClamAVの上限を超えた(またはclamdが自身の上限で一部を検査しなかった)ため、ウイルス検査が完全ではありません。"},
	)
}
