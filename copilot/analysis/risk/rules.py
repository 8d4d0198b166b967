"""Risk language, the rule layer: regular expressions over a normalised sentence.

High precision and a reason a therapist can read: each rule names a kind (see `kinds`), an
optional exclusion keeps out the everyday idioms that share its words ("this traffic is killing
me"). The learned layer (`learned`) reads meaning where these words run out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.domain import RiskKind, RiskSeverity

# Shared fragments. `ME` is the speaker; `OTHER` someone else; `SELF` any reflexive, so that
# reported acts ("my brother tried to kill himself") are caught and then marked as reported.
ME = r"(?:i|im|ive|id|ill|i will|i would|i am|i have|i had)"
SELF = r"(?:myself|himself|herself|themselves|themself|yourself)"
OTHER = (
    r"(?:him|her|them|someone|somebody|anyone|anybody|people|everyone|everybody|my (?:\w+ )?"
    r"(?:boss|husband|wife|partner|son|daughter|kids|children|child|baby|mum|mom|dad|father|"
    r"mother|brother|sister|ex|neighbour|neighbor|colleague|flatmate|boyfriend|girlfriend)|"
    r"the (?:baby|kids|children|neighbou?r|\w+ next door)|his \w+|her \w+)"
)
KILL = r"(?:kill|killing|killed|end|ending|ended|take|taking|took)"
SOON = r"(?:tonight|today|this (?:evening|weekend|week)|tomorrow|right now|after this)"
URGE = r"(?:thought about|thinking about|want to|wanted to|could just|tempted to|urge to)"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: RiskKind
    severity: RiskSeverity | None  # None: the kind's own severity
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None


@dataclass(frozen=True)
class RuleHit:
    rule: Rule
    start: int  # where the words that carry the risk begin, for the negation check
    end: int


def _rule(
    name: str, kind: RiskKind, pattern: str, exclude: str = "", severity: RiskSeverity | None = None
) -> Rule:
    """A rule of the table; `severity` only where the rule is graver than its kind."""
    return Rule(name, kind, severity, re.compile(pattern), re.compile(exclude) if exclude else None)


# fmt: off
RULES: tuple[Rule, ...] = (
    # --- immediate danger: a plan, means at hand, a time, or a threat happening now
    _rule("plan_with_time", "imminence",
          rf"(?:kill {SELF}|end it|take (?:them|it|all of them|"
          rf"the (?:pills|tablets|lot))|end my life|"
          rf"drive off|jump)\b.{{0,40}}\b{SOON}|{SOON}.{{0,30}}\b(?:kill {SELF}|end it all|"
          rf"drive off|jump off|do it)|\bdo it (?:tonight|right now|today|after this)|"
          r"\bplease dont send (?:anyone|anybody|the police|an ambulance|help)\b|"
          r"\b(?:therell|there will|there wont|there will not) be (?:no|any) (?:monday|tuesday|"
          r"wednesday|thursday|friday|saturday|sunday|tomorrow|next week|weekend) for me\b"),
    _rule("means_at_hand", "means_access",
          r"(?:(?:have|got|saved|saved up|bought|stockpil\w*|hoard\w*|collect\w*)\b.{0,25}\b"
          r"(?:pills|tablets|rope|gun|blade|razor)s?\b.{0,40}\b(?:do it|take them|tonight|use)|"
          r"(?:have|got) the (?:pills|tablets|rope|gun) (?:here|with me|in my)|"
          r"bought a rope(?! swing| ladder)|stockpil\w+ (?:his |her |my )?(?:pills|tablets|meds)|"
          r"(?:gun|pills|tablets|rope) in the house and i keep looking)|\bligatures?\b|"
          r"\bcharcoal\b.{0,30}\b(?:tape|boot|car|room)\b|"
          r"\b(?:which|what) (?:one|ones|of them|\w+) would (?:finish|kill) me\b|"
          r"\benough (?:\w+ ){0,3}to (?:finish|kill) me\b|"
          r"\b(?:saving|saved|stashing|stashed|hoarding|hoarded|keeping|kept|hiding|hid) (?:up |"
          r"away )?(?:all )?(?:my |her |his |the )?(?:\w+ )?(?:pills|tablets|meds|medication|"
          r"\w+ine|\w+am)\b.{0,30}\binstead of taking (?:it|them)\b"
          r"(?! (?:easy|slow|out|off|back|home|up|on|in|with|to|over|away|apart|for)\b)|"
          r"\b(?:pills|tablets|meds|prescriptions?|sleepers)\b.{0,20}\bfrom (?:two|three|four|"
          r"several|a few|different) (?:different )?(?:pharmacies|chemists|doctors|gps)\b|"
          r"\b(?:ampoules?|vials?|pills|tablets|insulin|morphine|stock)\b.{0,60}\bi know "
          r"(?:exactly )?what (?:would|will|could) do it\b"),
    _rule("afraid_of_self", "imminence",
          rf"\b(?:scared|afraid|frightened|terrified) (?:of )?what (?:ill|i will|i might|i could|"
          rf"id) do\b.{{0,40}}(?:\b{SOON}|when i get home|the (?:minute|moment|second))"),
    _rule("method_chosen", "plan",
          r"(?:know exactly how (?:i|id) (?:would )?do it|worked out which (?:bridge|building)|"
          r"(?:wrote|written|writing) (?:my|a) (?:suicide )?note|set a date to (?:kill|end)|"
          r"looked up ways to (?:kill|end)|gave (?:my \w+|away my \w+) away)"),
    _rule("research_or_place", "method",
          r"\b(?:googled|looked up|searched|researched|read up on)\b.{0,30}\b(?:pills|overdose|"
          r"how to (?:die|kill)|ways to (?:die|kill)|lethal|"
          r"rope|hanging)|how many (?:pills|tablets)"
          r" (?:it would take|would kill)|standing on (?:the|a) (?:bridge|ledge|edge|roof)|"
          r"\btonight is the night\b|\balready (?:took|taken|swallowed)\b|"
          r"\bwhich trains? (?:dont|doesnt|do not|does not) stop\b|"
          # searching at night for "ways", the purpose left unsaid
          r"\b(?:researching|googling|looking up|searching|reading up on),? "
          r"(?:like,? |um,? |uh,? )?(?:ways|methods)(?:,|\.|$)"
          r"(?! (?:like,? )?(?:to|of|for) (?!die|end|kill|do it))",
          severity="high"),
    _rule("method_in_hand", "method",
          r"(?:^|\b(?:i|im|ive|id|and|then|just) )(?:just |still |then )?(?:had|held|put|holding|"
          r"pressed|pressing) "
          r"(?:the|my|dads|his|grandads) (?:gun|shotgun|rifle|pistol|revolver|barrel)(?: \w+)? "
          r"(?:to|against|in|under) my (?:head|temple|mouth|chin|chest)\b|"
          r"\b(?:rope|cord|belt|flex)\b.{0,15}\b(?:over|round|around|from) (?:the|a) (?:beam|"
          r"rafters?|banisters?|bannisters?|loft hatch|light fitting)\b(?!.{0,30}\b(?:lift|hoist|"
          r"pull|haul|swing|hammock|pulley|engine|climb)\w*)|"
          r"\b(?:hose|hosepipe|pipe)\b.{0,20}\bexhaust\b|\bengine running\b.{0,40}\b(?:garage|"
          r"doors? shut)\b|"
          rf"\b(?:nearly|almost|{URGE}) (?:\w+ ){{0,2}}?(?:drive|driving|drove|driven|steer\w*|"
          rf"swerv\w*) (?:\w+ ){{0,2}}?off (?:the|a) (?:\w+ ){{0,2}}?(?:bridge|cliff|edge)\b|"
          rf"\b{URGE} (?:\w+ ){{0,2}}?(?:drive|driving|steer\w*|swerv\w*) (?:\w+ ){{0,2}}?into "
          r"(?:the|a) (?:\w+ ){0,2}?(?:wall|tree|river|quarry|lorry|truck|oncoming)\b",
          severity="high"),
    _rule("overdose_taken", "imminence",
          r"(?:took|taken|swallowed|had) (?:a (?:handful|"
          r"load|lot|bunch|packet|box) of |all (?:of )?"
          r"(?:my|the) )(?:pills|tablets|paracetamol|meds|medication)|"
          r"(?:swallowed|took) (?:a load of )?(?:paracetamol|tablets)|"
          r"\b(?:swallow|swallowed|take|took|taken|injected) (?:\w+,? ){0,2}?(?:the|a) whole "
          r"(?:packet|box|bottle|strip|tub|jar|pen)\b|"
          r"\b(?:took|taken|swallowed|had) (?:\w+ ){1,5}and all (?:of )?(?:my|the|his|her) "
          r"(?:pills|tablets|paracetamol|meds|medication|insulin)\b|"
          r"\b(?:took|taken|swallowed) too (?:much|many) (?:of )?(?:my |the |her |his )?"
          r"(?:\w+ )?(?:pills|tablets|paracetamol|medicine|medication|meds|insulin)\b"),
    _rule("overdose_thoughts", "method",
          r"\boverdos\w*\b(?! on (?:chocolate|sugar|coffee|caffeine|cake|sweets|tv|netflix))"
          r"(?! (?:awareness|prevention|training|response|kits?)\b)"),
    _rule("threat_now", "abuse",
          r"(?:(?:outside|at) (?:my|the) (?:flat|house|door|home|work)|coming (?:over|round|here) "
          r"tonight|right now|threatening me).{0,40}\b(?:kill|hurt|stab|shoot)\w* (?:me|us)|"
          r"threatening me right now|(?:pulled|has|got) a (?:knife|gun) (?:on|at) (?:me|us)|"
          r"(?:got|has) a (?:knife|gun) and|dont feel safe (?:going )?(?:home|at home)",
          severity="high"),
    # --- added with the kinds: attempts, preparation, intent, plans, intrusive thoughts, weapons
    _rule("attempt", "attempt",
          rf"\b(?:tried|attempted|tried before|try) to (?:kill {SELF}|end (?:my|his|her) (?:own )?"
          rf"life|take (?:my|his|her) (?:own )?life|hang {SELF}|drown {SELF}|gas {SELF})|"
          r"\battempted suicide\b|\bsuicide attempts?\b|\battempts? on (?:my|his|her) (?:own )?"
          r"life\b|\b(?:took|taken|had) an overdose\b|\bhad my stomach pumped\b|"
          r"\b(?:drank|drunk|swallowed|took|taken|injected|ate)\b.{0,40}\b(?:meaning|meant|"
          r"wanting|hoping|trying) (?:for )?(?:it|them|that) (?:to|would|will|might) "
          r"(?:finish|kill) me\b"),
    _rule("preparation", "preparatory",
          r"\b(?:wrote|written|writing|left) (?:a |my |the )?(?:suicide )?(?:note|goodbye "
          r"(?:letters?|cards?|messages?))\b|\bgiv(?:e|en|ing) (?:all )?(?:my (?:\w+ )?(?:stuff|"
          r"things|belongings|possessions)) away\b|\bgiv(?:e|en|ing) away (?:all )?my (?:stuff|"
          r"things|belongings|possessions)\b|\b(?:for|to) whoever finds me\b|"
          r"\bput(?:ting)? my affairs in order\b|\bsay(?:ing)? (?:my )?(?:last )?(?:goodbyes?|"
          r"cheerio|farewells?) to "
          r"(?:everyone|everybody|people)\b|\bfor (?:when|after) (?:im|i am) gone\b|"
          r"\bwont need (?:it|them) (?:where im going|anymore)\b|"
          r"\b(?:wont|will not|ill not|not) (?:be )?(?:need\w*|us\w*) (?:it|them|that|those|"
          r"these)\b.{0,15}\bwhere im going\b|"
          r"\b(?:written|wrote|writing|planned|planning|chose|picked) (?:my own|the) "
          r"(?:eulogy|funeral)\b|"
          r"\bmy own (?:eulogy|funeral)\b|"
          r"\bbecause i wont (?:be (?:able to look after|around|here)|need)\b|"
          r"\b(?:letters?|notes?)\b.{0,60}\b(?:it )?(?:wasnt|was not|isnt|is not) (?:her|his|"
          r"their|your|anyones) fault\b|\b(?:letters?|notes?)\b.{0,60}\bif (?:anything|"
          r"something) (?:happens|should happen) to me (?:this|tonight|tomorrow)\b"),
    _rule("intent_stated", "intent",
          rf"\b(?:im going to|im gonna|i will|ill|ive decided to|i intend to|i mean to)\s+"
          rf"(?:\w+ )?(?:kill {SELF}|end (?:it|my life|things)|take my (?:own )?life|do it)\b",
          exclude=r"\bdo it (?:later|tomorrow morning|properly|again|for|with|myself)\b|"
          r"\bend it with\b"),
    _rule("plan_made", "plan",
          r"\b(?:planned|planning|plan) (?:how|when|where) (?:to|i(?:ll| will| would)?) "
          r"(?:kill|end|do it)|\bplanned (?:my|it) (?:suicide|death|for)\b|"
          r"\b(?:picked|chosen|set) (?:a|the) (?:date|day|spot|place) (?:to|for|when)\b|"
          r"\bgo(?:es|ing)? (?:through|over) it,? (?:in my head,? |again,? )?(?:all,? )?"
          r"the (?:how|when|where) and the (?:how|when|where)\b"),
    _rule("intrusive", "intrusive_thought",
          r"\b(?:thoughts?|images?|pictures?|flash(?:es)?|visions?|urges?)\b.{0,40}\b(?:hurt\w*|"
          r"harm\w*|drop\w*|drown\w*|smother\w*|suffocat\w*|stab\w*|shak\w*|throw\w*)\b.{0,20}"
          r"\b(?:baby|babies|newborn|infant|son|daughter|him|her|them|kids?|children|child)\b|"
          r"\b(?:hurt\w*|harm\w*|drown\w*|smother\w*|suffocat\w*|stab\w*) (?:my |the )?(?:baby|"
          r"newborn|infant)\b.{0,40}\b(?:thoughts?|images?|pictures?|terrif\w*|scar\w*|never|"
          r"dont want)\b"),
    _rule("weapon_for_someone", "harm_means",
          r"\b(?:bought|got|have|carrying|carry|keep|sharpened|filed|loaded|ordered|got hold of) "
          r"(?:a |an |the |my (?:dads |\w+s )?)?(?:old |new |own )?(?:knife|gun|blade|machete|"
          r"rifle|shotgun|pistol|bat|hammer|crowbar|taser|poison|petrol|bayonet|axe|cleaver|sword)"
          r"\b.{0,60}\b(?:for (?:him|her|them|when (?:i see|he|she)|(?:the|that) (?:fella|bloke|"
          r"man|guy|woman|carer) who)|use it on|(?:his|her) (?:house|car|work|address|face)|"
          r"where (?:he|she) (?:lives|works|parks))|"
          r"\b(?:put|putting|slip|slipping|mix|mixing) (?:\w+ ){0,3}?(?:pills|"
          r"tablets|poison|bleach|medicine|powder) in(?:to)? (?:his|her|their) (?:food|drink|tea|"
          r"coffee|dinner|meal|bottle)\b|\bsleeping (?:tablets|pills)\b.{0,30}\b(?:in|into|for) "
          r"(?:his|her|their|\w+s) (?:cocoa|tea|coffee|drink|food|dinner|soup|milk|whisky)\b"),
    # --- suicidal ideation: wishes, passive ideation, burden, hopelessness about living
    _rule("kill_self", "active_ideation",
          rf"\b{KILL} (?:{SELF}|my own life|my life|her life|his life|their life|it all)\b|"
          rf"\bsuicid\w*\b(?! (?:prevention|awareness|helpline|hotline))|"
          rf"\bend(?:ing)? (?:it|everything)\b(?! with)|\bunaliv\w* (?:{SELF}|me)\b|"
          r"\b(?:took|take|taking|takes|taken) the (?:quick|cowards) way out\b(?! of)|"
          r"\b(?:if i|ill|i will|id|i could|im going to|gonna|i might|just) check(?:ed)? out "
          r"(?:for good|permanently)\b|"
          r"(?:^|\b(?:lol|literally|just|gonna|wanna|lowkey|ngl|actually|ill|about to|finna) )kms\b"
          r"(?! (?:on|per|away|from|to|an?|of)\b)"),
    _rule("want_to_die", "passive_wish",
          r"\b(?:wants?|wanted|wanting|wish(?:es)?|wished|"
          r"rather|hope) (?:to |i (?:was|were) |i could |"
          r"i would |id |be )?(?:die|dead|be dead|not be alive|not exist)\b|\bbetter off dead\b|"
          r"\bwish i (?:was|were) dead\b|"
          r"\bwish (?:it|this|today) (?:was|were|would be) my last\b|"
          r"\bwish (?:id|i had) never been born\b|"
          r"\b(?:wish|wishing|pray|praying|hope|want)\w* (?:that )?(?:god|allah|the lord|jesus) "
          r"(?:would |will |to |could |just )?(?:takes?|calls?) me\b|"
          r"\blet (?:it|the (?:cancer|illness|disease)|death) take me\b|"
          r"\b(?:god|lord|jesus|allah)\b.{0,20}\b(?:call|calls|take|takes) me home\b|"
          r"\bpray\w*\b.{0,30}\bcalls? me home\b|"
          r"\ba mercy if (?:\w+ ){0,8}?(?:took|take|takes) me\b|"
          r"\b(?:want to|wanna|wish i could|just want to|id rather) (?:stop|cease to) exist\b|"
          r"\b(?:im|i am) (?:so )?done existing\b|\bcant exist (?:anymore|after this|like this)\b",
          exclude=r"rather die than (?!live|go on|carry on|be here)"),
    _rule("not_be_here", "passive_wish",
          r"\b(?:dont|do not|didnt) want to (?:be here|be alive|exist|live|wake up|go on|keep "
          r"going|keep living)\b|\bnot wake up\b|\bdont wake up\b|\bnot being alive\b|"
          r"\btired of (?:being alive|living|life)\b|\bno (?:point|reason) (?:in |to |for me to "
          r")?(?:living|live|going on|go on|keep living|carry on|being alive)\b|"
          r"\b(?:dont|cant|do not|cannot) (?:see|find|think of) (?:any|a) (?:point|reason) (?:in |"
          r"to |for me to )?(?:keep )?(?:living|live|going on|go on|carry on|being alive)\b|"
          r"\bnothing (?:left )?to live for\b|\bpoint of (?:going on|"
          r"living|me even being here|me being here|being alive)\b|"
          r"\blife (?:isnt|is not|aint) worth living\b",
          exclude=r"(?:be here|be at|go back).{0,10}\b(?:in this|at this|job|town|office|city|"
          r"house|flat|place|party|school)"),
    _rule("burden", "passive_wish",
          r"\b(?:better off|be fine|be happier|be better) (?:without me|if i (?:was|were|wasnt|"
          r"am) (?:gone|dead|not here|around)|if i was gone)\b|\bburden (?:to|on) "
          r"(?:everyone|everybody|them|my)|\bim (?:just )?a burden\b|\bworry about me much longer"
          r"\b|\bnotice if i (?:disappeared|was gone|died)\b|\bdisappear forever\b|"
          r"\brelieved if i (?:went|was gone|were gone|died|wasnt here|disappeared)\b|"
          r"\bim (?:just )?dead weight\b|"
          r"\b(?:im|i am) (?:just )?(?:a|such a) (?:load|weight|drain) on (?:them|everyone|"
          r"everybody|you all|my \w+)\b|"
          r"\bwithout me\b.{0,20}\b(?:have|get) (?:his|her|their|our) (?:life|lives) back\b"),
    _rule("death_wish", "passive_wish",
          r"\b(?:wants?|wanted|wish(?:es)?|wished|rather|relief|"
          r"easier|better|hope|hoping|pray|praying|"
          r"think about|thinking about|thoughts? of|fantasi[sz]e about|long for)\b.{0,40}\b(?:"
          r"dying|dead|death|die|not exist|not be here|not wake up|wont wake up|never wake up)\b|"
          r"\b(?:dying|death) (?:would be|would feel|sounds|seems) (?:a relief|easier|better|"
          r"peaceful)\b|\b(?:pray|hope|wish)\w* i (?:wont|dont|never|will not) wake up\b",
          exclude=r"\bdying (?:to|of|for)\b|\bdie (?:laughing|for)\b|\bto death\b|"
          r"\bdead (?:tired|beat|serious|easy)\b|rather die than (?!live|go on|carry on|be here)"),
    _rule("absence_easier", "passive_wish",
          r"\b(?:miss|notice|care)\b.{0,20}\bif i (?:was|were|wasnt|werent|am) (?:gone|dead|not "
          r"(?:here|around)|around)\b|\b(?:easier|better) for (?:everyone|everybody|them|my \w+)"
          r" if i\b|\bif i (?:just )?(?:wasnt|werent) (?:around|here|alive)\b|"
          r"\bgive up on (?:life|living|everything)\b|\bdont want to (?:carry on|go on)\b|"
          r"\bno (?:future|way out) (?:for me|at all)\b"),
    _rule("imagery", "method",
          r"\b(?:jump|jumping|step|stepping|throw(?:ing)? myself) (?:off|in front of|under)\b|"
          r"\bwant it (?:all )?to end\b|\bcant do this anymore\b|\bcant go on\b"),
    # --- self-harm
    _rule("cutting", "self_harm",
          rf"\b(?:cut|cutting|cuts|burn|burnt|burned|burning|burns|hurt|hurting|harm|harming|"
          rf"scratch\w*|punish\w*|hit|hitting|starve|starving) {SELF}\b|\bself[ -]?harm\w*|"
          r"\bbeen cutting\b|\bcutting again\b|\bcuts on my\b|\bso i cut\b|took a blade to|"
          r"\bon purpose\b|until (?:it|they|my \w+) (?:bleeds?|bled|hurts)\b|"
          r"\bbang(?:ing)? my head (?:on|against) the wall until\b",
          exclude=rf"cut {SELF} (?:shaving|cooking|chopping|by accident|accidentally)|"
          r"\bcutting (?:back|down|out|my (?:hours|losses|costs|hair|nails|spending))\b|"
          r"brick wall(?! until)"),
    _rule("injuring_body", "self_harm",
          r"\b(?:cut|cutting|burn|burning|burnt|burned|scratch|scratched|scratching|hit|hitting|"
          r"bang|banging|punch|punching|scald\w*|bruis\w*) my (?:own )?(?:wrists?|arms?|legs?|"
          r"thighs?|skin|head|stomach|body|face)\b|\bto feel something\b|"
          r"\b(?:cutting|burning|hurting) (?:his|her|their) (?:wrists?|arms?|legs?|skin)\b|"
          r"\b(?:carve|carving|carved|slam|slamming|slammed|dig|digging|stab|stabbing) (?:\w+ )?"
          r"(?:into |against )?my (?:own )?(?:wrists?|arms?|legs?|thighs?|skin|head|stomach|hips?)"
          r"\b|\b(?:ice|lighter|safety pin|pin|needle|compass|lit cigarette)s?\b.{0,30}"
          r"\b(?:on|into) my (?:skin|arms?|legs?|thighs?|wrists?|hands?)\b|\buntil i see stars\b",
          exclude=r"\b(?:by accident|accidentally|on the (?:oven|stove|iron|pan)|shaving|fell|"
          r"running|playing|brick wall)\b"),
    _rule("starving", "self_harm",
          r"\bstarve myself\b|\bnot eating for days\b"),
    # --- harm to others: intent, urges, acts
    _rule("intent_to_harm", "harm_intent",
          rf"\b(?:want to|wanna|going to|gonna|could|ill|i will|would|thoughts? (?:about|of)|"
          rf"imagine|thought about|feel like)\s+(?:\w+ ){{0,2}}(?:kill|killing|hurt|hurting|"
          rf"stab|stabbing|shoot|shooting|strangle|strangling|punch|punching|beat|beating|burn|"
          rf"pushing|push|run|running) (?:{OTHER}|his house|up (?:his|her|the))\b",
          exclude=r"(?:going to|gonna) (?:kill|murder) me\b"),
    _rule("settling_a_score", "harm_intent",
          r"\b(?:meant|going|gonna|wanted|want|ready) to do (?:him|her|them|that \w+|my "
          r"(?!head\b)\w+) in\b|"
          r"\bintention of (?:doing|do) (?:anything|something) to (?:him|them|her(?= *(?:[,;:.!?]|"
          r"$))|my (?:\w+ )?(?:ex|boss|husband|wife|partner|neighbou?r|dad|father|stepdad|"
          r"brother|sister|son|daughter))\b|"
          r"\bknow exactly what (?:im|i am) (?:going to|gonna) do to (?:him|her|them|that \w+|"
          r"my \w+)\b|"
          r"\b(?:getting|gonna get|going to get) (?:properly )?hurt (?:this|tonight|tomorrow|"
          r"next|when i)\b"),
    _rule("violent_urge", "harm_thought",
          r"\bsnap and hurt\b|\bhurt (?:someone|somebody|anyone|people|the baby|my (?:kids|baby|"
          r"son|daughter))\b|\bshoot (?:up )?(?:the place|people)\b|\bkill (?:him|her) if\b|"
          r"\bbeat up\b|\bshook the baby\b|\bmake (?:him|her|them) (?:suffer|pay)\b|"
          r"\bfantas\w+ (?:about|of) (?:hurting|killing|stabbing|hitting)\b|"
          r"\b(?:smash|bash|cave) (?:in )?(?:his|her|their) (?:face|head|skull)\b|"
          r"\b(?:i|ill|id|gonna|going to|wanna|want to|will) break (?:his|her|their) (?:face|head|"
          r"skull)\b|\b(?:gonna|going to|will|ill|wanna|want to) put (?:him|her|them) in "
          r"(?:hospital|a coma)\b|\b(?:hes|shes|theyre) (?:getting|gonna get|going to get) put "
          r"in (?:hospital|a coma)\b"),
    _rule("harm_words", "harm_thought",
          rf"\b(?:hurt|hurting|kill|killing|stab|stabbing|shoot|shooting|strangle|attack|"
          rf"attacking) {OTHER}\b",
          exclude=r"\b(?:kill|killing) (?:time|it)\b"),
    _rule("hit_child", "harm_intent",
          r"\b(?:hit|slapped|smacked|shook|kicked|grabbed|threw|pushed|choked) my (?:son|"
          r"daughter|child|kids|baby|wife|"
          r"husband|partner)\b"),
    # --- abuse or neglect disclosures (client as victim, or a child or dependant at risk)
    _rule("violence_to_client", "abuse",
          r"\b(?:he|she|they|my \w+(?: \w+)?) (?:\w+ ){0,2}?(?P<core>hits|"
          r"hit|beats|beat|slapped|slaps|pushed|"
          r"pushes|kicked|kicks|chokes|choked|strangled|punched|punches|burns|burned|burnt|"
          r"grabbed|threatens|threatened|strangles|screams at)\b(?: \w+){0,3} (?:me|"
          r"us|her|him|them|"
          r"the (?:kids|children)|my throat)\b|"
          r"\b(?:hits|beats|beat|slapped|pushed|chokes) (?:me|us|her)\b|"
          r"\bused to (?:hit|beat|burn|lock) (?:me|us)\b",
          exclude=r"\bbeat (?:me|us) (?:at|to)\b|\bhit (?:me|us) up\b|\bit hit me\b|"
          r"\bhit me with (?:a lot|lots|questions|the news)"),
    _rule("sexual_abuse", "abuse",
          r"\b(?:touch(?:ed)? me|molest\w*|rap(?:e|ed)\b|sexual(?:ly)? (?:abus|assault)\w*|"
          r"forced (?:me|himself|herself) (?:to have sex|on me)|forced himself on)",
          exclude=r"\boilseed rape\b|\bnon ?-?molestation\b|\b(?:over|across|through) the rape\b|"
          r"\brape (?:field|crop)s?\b",
          severity="high"),
    _rule("control", "abuse",
          r"\b(?:wont|doesnt|does not|will not) let me (?:have|see|go|leave)\b|\bchecks my phone"
          r"\b|\btracks where i am\b|\btakes my (?:pension|money|benefits)\b|"
          r"\bcontrols (?:all )?(?:the|my) money\b|\bnot allowed (?:out|to (?:go|see|leave))\b|"
          r"\b(?:afraid|scared|terrified) (?:of what (?:he|she)|(?:he|she)(?:ll| will| is going "
          r"to| might) (?:kill|hurt|hit))|\blocks? (?:me|the "
          r"kids|us|them) in\b|\blocked me in\b|scared to go home|threatens to kill me"),
    _rule("neglect", "neglect",
          r"\bnobody (?:feeds|watches|looks after)\b|\bnever any food\b|\bleft alone (?:all|for)"
          r"\b|\balone (?:for days|most nights|all night|all weekend)\b|\bwithout (?:his|her) "
          r"(?:medication|meds|food)\b|\bsoiled\b|\bnobody watches them\b|"
          r"\b(?:nobody|no one|never) (?:wash|washes|bathes|feed|feeds) (?:them|him|her|the "
          r"(?:kids|children|baby))\b|\b(?:nobody|no one|noone)(?:s| has| have)? (?:washed|"
          r"bathed|fed|changed) (?:me|him|her|them|the (?:kids|children|baby))\b|"
          r"\b(?:they|staff|carers|nurses|he|she) (?:dont|doesnt|never|wont) (?:give|gives) me "
          r"my (?:tablets|medication|meds|pills|insulin)\b(?!.{0,20}\b(?:until|till|without|"
          r"before|unless)\b)|\b(?:dont|doesnt|does not|do not|never|wont) (?:give|gives) "
          r"(?:him|her|them|the (?:kids|children|baby)) (?:any |enough )?food\b|"
          r"\block(?:s|ed|ing)? (?:the|all the) food (?:away|up|in)\b|"
          r"\b(?:leaves?|left|leaving) (?:the|my|our|her|his) (?:baby|toddler|kids|"
          r"children) (?:crying|screaming|alone|on (?:his|her|their) own)\b.{0,20}"
          r"\b(?:for hours|all day|all night|for days)\b|"
          r"\b(?:nobody|no one|noone|they never|never) (?:turns|turn|moves|repositions) (?:her|him|"
          r"them|my (?:mum|mom|dad|mother|father|wife|husband))\b.{0,60}\b(?:pressure|bed) ?sores|"
          r"\b(?:pressure|bed) ?sores\b.{0,60}\b(?:down to the bone|(?:nobody|no one) "
          r"(?:turns|moves|changes))\b"),
)
# fmt: on


def rule_hits(sentence: str) -> list[RuleHit]:
    """Each rule's first match in a normalised sentence, unless its exclusion matches too."""
    hits: list[RuleHit] = []
    for rule in RULES:
        if rule.exclude is not None and rule.exclude.search(sentence):
            continue
        m = rule.pattern.search(sentence)
        if m is None:
            continue
        core = m.start("core") if "core" in m.re.groupindex and m.group("core") else m.start()
        hits.append(RuleHit(rule, core, m.end()))
    return hits
