//! Word patterns that are only asked whether they match (`prefilter::Words`' delay, gave-up and
//! challenge-response words, the failure, delay, success, refusal and out-of-office words),
//! apart from their users so that the build determinizes their automata for ASCII texts along
//! with the rules' (build.rs, `ascii_dfa`).

/// Words that say a message was delayed and will be retried (`finality::delay_words`).
pub(crate) const DELAY: &str = r"(?i)\bhas been delayed\b|\bdelivery (?:is |has been )?delayed\b|\bmessage (?:is |has been )?delayed\b|\bwarning (?:message )?only\b|\bthis is (?:just |only )?a warning\b|\bwill (?:be retried|continue (?:to )?(?:try|trying|attempt|attempting)|keep trying|retry|try again)\b|\bdelivery attempts will continue\b|\bnot yet been delivered\b|\bstill (?:trying|being retried)\b|\bdelivery status notification \(delay\)|\bonly a temporary failure report\b|\bno action is required on your part\b|\bdo not need to resend\b|\bhas been postponed\b|\bdelay(?:ed)? (?:notification|warning)\b|\bdelivery (?:to these recipients or groups )?is delayed\b|\b(?:has ?n[o']t|has not|not) (?:been |be )?delivered yet\b|\bthis is a temporary (?:error|failure|problem)\b|\bwill continue to be attempted\b|\bwill be attempted again\b|\bcould not send message for past\b|\bdelayed (?:mail|delivery)\b|\bdelivery (?:has been |was |is )?(?:temporarily )?deferred\b|\btemporarily deferred\b|\b(?:still|remains?) (?:queued|in (?:the |our )?(?:mail )?queue)\b|\b(?:is|are) being retried\b|\bdelivery attempts (?:are continuing|continue)\b|\b(?:i|we|it|they)\x27ll (?:(?:keep|continue) (?:trying|to try|attempting)|try again|retry)\b|\b(?:was|were) delayed\b|\bdelivery (?:delay|warning)\b|\bwill continue (?:the )?delivery attempts\b|\bstill undelivered\b|\bwaiting in the queue\b|\bqueued for (?:later|further) delivery\b|\bmail delivery warning\b|\b(?:we are|we\x27re|i am|i\x27m) still trying\b|\b(?:have|has) yet to be delivered\b|\b(?:has been|was) frozen\b";

/// Words that say the server gave up (`finality`).
pub(crate) const GAVE_UP: &str = r"(?i)\b(?:have|has|i'?ve)\s+given up\b|\bgiving up\b|\bgave up\b|\bnot (?:going to|gonna) try again\b|\bfailed permanently\b|\bpermanent(?:ly)? (?:error|failure|fatal|failed|rejected|undeliverable)\b|\bwill not be retried\b|\b(?:retry|queue) (?:time(?:out)?|lifetime|period) (?:has )?(?:expired|exceeded)\b|\btoo long in (?:the )?queue\b|\bin the queue too long\b|\bexceeded (?:the )?maximum (?:number of )?(?:delivery attempts|retries|retry (?:time|count))\b|\bmaximum (?:delivery attempts|retries) (?:exceeded|reached)\b|\b(?:message|delivery)(?: time)? (?:has )?expired\b|\bcould not be delivered for \d+ (?:days?|hours?)\b|\bwill be deleted from (?:the )?queue\b|\bafter a long failure period\b|\bno (?:further|more) (?:delivery )?attempts will be made\b|\b(?:has been|was) returned to (?:the )?sender\b";

/// Words of a challenge-response filter's request (`notices::is_challenge`).
pub(crate) const CHALLENGE: &str = r"(?i)\bchallenge[- ]response\b|\bverify (?:that )?you(?:'re| are)? (?:a )?(?:human|person|real)\b|\b(?:click|follow) (?:on )?(?:the|this) (?:following )?link (?:below )?to (?:have|get|be|verify|confirm|add)\b|\badded to (?:the recipient's|my|their) (?:allowed|approved|guest|safe|white) ?(?:senders? )?list\b|\b(?:guest|approved senders?|safe senders?) list\b|\bsender not pre-?approved\b|\bawaiting (?:your )?(?:verification|confirmation)\b|\bplease (?:verify|confirm) (?:that )?you\b";

/// Failure words of notices in other languages (`prose`).
pub(crate) const LOCAL_FAILURE: &str = concat!(
    "(?i)",
    // German
    "unzustellbar|nicht zugestellt werden|konnte nicht zugestellt|nicht zustellbar",
    "|zustellung (?:an [^.:]{0,80})?(?:ist )?fehlgeschlagen|fehlgeschlagene zustellung",
    // French
    "|non remis|n.a pas pu (?:être|etre) (?:remis|distribu|livr)|non distribuable",
    "|impossible de (?:remettre|distribuer|livrer)|échec de (?:la )?(?:remise|distribution)",
    // Spanish and Portuguese
    "|no se (?:puede|pudo) entregar|no (?:pudo|ha podido) ser entregado",
    "|imposible entregar|error en la entrega|n[ãa]o (?:[ée]|foi) poss[ií]vel entregar",
    "|n[ãa]o p[ôo]de ser entregue|falha na entrega",
    // Italian
    "|non recapitabile|impossibile recapitare|non (?:è|e) stato possibile recapitare",
    "|mancato recapito",
    // Dutch, Scandinavian, Polish, Czech, Hungarian, Turkish
    "|onbestelbaar|kon niet worden (?:bezorgd|afgeleverd)|kan niet worden bezorgd",
    "|ej levererbart|kunde inte levereras|kunne ikke leveres|kan ikke leveres|ikke leveret",
    "|niedostarczalne|nie (?:można|mogła|mógł|mogło) (?:zostać )?dostarcz|nie została dostarczona",
    "|nedoručitelné|nelze doručit|nemohla být doručena|nebyla doručena",
    "|kézbesíthetetlen|nem kézbesíthető|teslim edilemedi",
    // Russian
    "|не доставлено|не может быть доставлено|не удалось доставить|невозможно доставить",
    "|не было доставлено|не была доставлена",
    // Japanese, Chinese, Korean
    "|配信不能|配信できませんでした|配信に失敗|無法傳遞|无法传递|无法送达|無法送達|投递失败|投遞失敗",
    "|发送失败|發送失敗|未能送达|배달 못 함|배달하지 못|전달되지 않",
);

/// Delay words of notices in other languages (`finality`).
pub(crate) const LOCAL_DELAY: &str = concat!(
    "(?i)",
    // German
    "verzögert|verzoegert|zustellverzögerung|verzögerte zustellung|noch nicht zugestellt",
    "|wird weiterhin versucht|weiterhin versuchen|nur eine warnung",
    "|wird (?:später )?erneut versucht|wir versuchen es (?:später )?erneut",
    "|wird (?:später )?erneut zugestellt|erneuter zustellversuch (?:wird|erfolgt)",
    // French
    "|remise différée|distribution différée|livraison différée|est retardée|a été retardée",
    "|remise retardée|retard de (?:remise|distribution|livraison)",
    "|pas encore été (?:remis|distribué|livré)|continuer(?:a|ons)? (?:à|a|d.)essayer",
    "|uniquement un avertissement|simple avertissement",
    "|nous r[ée]essaierons|r[ée]essaiera|sera r[ée]essay[ée]|nous allons r[ée]essayer",
    "|va r[ée]essayer|nouvelle tentative (?:sera effectu[ée]e|aura lieu)",
    // Spanish and Portuguese
    "|entrega retrasada|se ha retrasado|entrega demorada|entrega atrasada|atraso na entrega",
    "|(?:todav[ií]a|a[uú]n) no se ha entregado|ainda n[aã]o foi entregue",
    "|seguir(?:emos|[aá]) intentando|continuar(?:emos|[aá]) (?:a )?tentar",
    "|(?:s[oó]lo|solamente) una advertencia|apenas um aviso",
    "|se volver[aá] a intentar|volveremos a intentar|se reintentar[aá]|reintentaremos",
    "|se intentar[aá] de nuevo|tentaremos novamente|tentar[aá] novamente|voltaremos a tentar",
    "|ser[aá] tentad[ao] novamente|nova tentativa ser[aá] feita",
    // Italian
    "|recapito ritardato|consegna ritardata|ritardo nel(?:la)? (?:recapito|consegna)",
    "|non [eè] (?:ancora stato|stato ancora) (?:recapitato|consegnato)",
    "|continuer[aà] a (?:tentare|provare)|riproveremo|riprover[aà]",
    "|(?:verr[aà]|sar[aà]) ritentat[ao]|nuovo tentativo (?:verr[aà]|sar[aà]) effettuato",
    // Dutch, Scandinavian, Polish, Czech
    "|bezorging vertraagd|vertraagde bezorging|nog niet (?:bezorgd|afgeleverd)",
    "|leverans försenad|levering forsinket|forsinket levering",
    "|dostarczenie opóźnione|opóźnienie dostarczenia|opóźnione dostarczenie",
    "|doručení zpožděno|zpožděné doručení",
    "|wordt (?:later )?opnieuw geprobeerd|we proberen het (?:later )?opnieuw",
    "|zal opnieuw worden geprobeerd|spróbujemy ponownie|zostanie ponowiona",
    // Russian
    "|доставка задерживается|задержка доставки|(?:ещё|еще) не (?:было )?доставлено",
    "|будет повторена|повторим попытку|попытки доставки будут продолжены",
    // Japanese, Chinese, Korean
    "|配信(?:が|の)?遅延|遅延通知|まだ配信されていません",
    "|延迟(?:投递|传递|送达)|(?:投递|传递|送达)延迟|延遲(?:傳遞|遞送)|(?:傳遞|遞送)延遲",
    "|尚未(?:送达|投递|传递|送達|傳遞|遞送)|将继续尝试|將繼續嘗試",
    "|再送を試みます|再試行します|再度配信を試みます|将重试|將重試|将再次尝试|將再次嘗試",
    "|배달 지연|전송 지연|발송 지연",
);

/// Giving-up words of notices in other languages: a permanent error, no further attempt,
/// "will not be retried" (which holds the retry words, negated) (`finality`).
pub(crate) const LOCAL_GAVE_UP: &str = concat!(
    "(?i)",
    // German
    "permanenter fehler|dauerhafter fehler|endgültig fehlgeschlagen|dauerhaft fehlgeschlagen",
    "|keine weiteren (?:zustell)?versuche|nicht (?:mehr|erneut) (?:zugestellt|versucht)",
    // French
    "|erreur permanente|[ée]chec d[ée]finitif|aucune nouvelle tentative",
    "|ne sera pas r[ée]essay|ne r[ée]essaierons pas|ne r[ée]essaiera pas",
    // Spanish and Portuguese
    "|error permanente|no se volver[aá] a intentar|no se reintentar|no volveremos a intentar",
    "|no reintentaremos|erro permanente|n[ãa]o ser[aá] tentad[ao] novamente",
    "|n[ãa]o tentar(?:emos|[aá]) novamente",
    // Italian
    "|errore permanente|non (?:verr[aà]|sar[aà]) ritentat|non riprover",
    // Dutch, Polish, Russian
    "|permanente fout|niet opnieuw (?:worden )?geprobeerd|b[łl][ąa]d trwa[łl]y|nie zostanie ponowiona",
    "|постоянная ошибка|не будет повторена|повторных попыток не будет",
    // Japanese, Chinese
    "|再試行しません|再送しません|恒久的なエラー|永久性错误|永久性錯誤|不再重试|不再重試",
);

/// Words that say a message was not (or not yet) delivered (`prose`).
pub(crate) const FAILURE: &str = r"(?i)\b(?:could ?n[o']t be delivered|undeliverable|undelivered|not (?:be )?delivered|delivery (?:has )?failed|failed to deliver|permanent (?:error|failure)|returned to sender|no valid recipients|returned mail|failed recipients?|(?:error|failure) during delivery|mail delivery (?:failed|failure|problem)|delivery (?:failure|problem)|non-?delivery|(?:unable|not able) to deliver|delivery to the following recipients? failed|did not reach the following recipients?|following (?:recipients?|addresses) (?:was|were) aborted)\b|\bdelivery status notification \(failure\)";

/// Words of a notice that a message was delivered or handed on (`prose`).
pub(crate) const SUCCESS: &str = r"(?i)\b(?:(?:has|have) been|was|were) (?:successfully )?delivered to\b|\bsuccessfully delivered\b|\bdelivered successfully\b|\bdelivery to (?:these|the following) (?:recipients?|addresses)(?: (?:or|and) (?:groups|distribution lists))? (?:is|was|has been) complete\b|\bhad successful delivery\b|\bsuccessful (?:mail )?delivery (?:report|notification)\b";

/// Words that refuse something, in a refusal pasted without a code (`prose`).
pub(crate) const REFUSAL: &str = concat!(
    r"(?i)\b(?:reject(?:ed|s)?|refused|denied|blocked|banned|blacklisted|not (?:allowed|permitted|accepted|taken)|not an? valid|exceeded|(?:unable|not able|wasn.t able|cannot|can.t|could ?n[o']t) to|invalid|unknown|not found|full|too (?:big|large|many)|failed|failure",
    r"|over (?:the )?quota|(?:daily|hourly|sending|rate|recipient|rcpt) limit|limit (?:reached|exceeded)|(?:does ?n[o']t|not) exist|no such (?:user|mailbox|address|domain|recipient)|undeliverable|no route to host|timed out|unreachable",
    r"|(?:couldn.t|could not|unable to) find|not going to try again|(?:in the )?queue too long",
    r"|block ?list(?:ed)?|black ?list|deferred|(?:were|was) ?n[o']?t sent|no longer (?:in use|active|valid)",
    // An MTA's routing verdict and a filter's, pasted alone (Exim's `all relevant MX records
    // point to non-existent hosts`, a host's `Suspected phishing attempt`), and an
    // application's mail function that could not start (PHPMailer's `Could not instantiate`).
    r"|point(?:s|ing)? to non-?existent hosts?|unroute?able|could ?n[o']t (?:instantiate|execute)|suspected (?:phishing|spam|fraud|virus|malware)|(?:phishing|virus|malware) (?:attempt|detected|found)",
    // A relay's default refusal (Haraka's `I cannot deliver mail for <a>`), Haraka's log of a
    // hook's verdict (`retval=DENY msg="..."`) and Exim's deferral in its log (`R=dnslookup
    // defer (-1): host lookup did not complete`).
    r"|(?:cannot|can.t|could ?n[o']t) deliver|retval=DENY(?:SOFT|DISCONNECT)?|defer|did not complete",
    r"|abgelehnt|unbekannt|existiert nicht|(?:ist|sind) voll|gesperrt|nicht zugestellt",
    r"|refus[ée]e?|rejet[ée]e?|inconnue?|n.existe pas|bloqu[ée]e?|pleine?",
    r"|rechazad[oa]|desconocid[oa]|no existe|bloquead[oa]|llen[oa]",
    r"|rifiutat[oa]|sconosciut[oa]|non esiste|bloccat[oa]|pien[oa]",
    r"|rejeitad[oa]|desconhecid[oa]|n[ãa]o existe|chei[oa]",
    r"|odrzucon[aey]?|nie istnieje|zablokowan[aey]?|pełn[aey]",
    r"|geweigerd|onbekend|bestaat niet",
    r"|отклонен[оа]?|не существует|переполнен[оа]?|заблокирован[оа]?",
    r")\b|退信|不存在|拒绝|拒收|已满|超过|失败|拒否|存在しません|満杯",
);

/// Words of an out-of-office or vacation notice (`notices`).
pub(crate) const AWAY: &str = r"(?i)\b(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|away|on (?:vacation|holiday|leave|annual leave)|travel(?:l)?ing)\b|\bwill (?:be back|return) (?:on|in|to the office)\b|\b(?:limited|no) access to (?:my )?e-?mail\b|\bthis is an automatic(?:ally generated)? (?:reply|response)\b";

/// The same notice in other languages (`notices`).
pub(crate) const AWAY_ELSEWHERE: &str = r"(?i)\bnicht im b(?:ü|ue)ro\b|\bau(?:ß|ss)er haus\b|\bbin (?:ich )?(?:bis|vom) .{0,40}\b(?:abwesend|im urlaub)\b|\babsente? du bureau\b|\bje suis (?:actuellement )?(?:absente?|en cong(?:é|e)s?)\b|\bfuera de la oficina\b|\bfuori (?:ufficio|sede)\b|\bsono (?:in ferie|assente)\b|\bik ben (?:afwezig|niet op kantoor|met vakantie)\b|\b(?:ausente|fora) do escrit(?:ó|o)rio\b|(?:^|[^\p{L}])(?:я |нахожусь )?в отпуске(?:$|[^\p{L}])|(?:^|[^\p{L}])не в офисе(?:$|[^\p{L}])";

/// Every one, for the build.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const ALL: [&str; 11] = [
    DELAY,
    GAVE_UP,
    CHALLENGE,
    LOCAL_FAILURE,
    LOCAL_DELAY,
    LOCAL_GAVE_UP,
    FAILURE,
    SUCCESS,
    REFUSAL,
    AWAY,
    AWAY_ELSEWHERE,
];
