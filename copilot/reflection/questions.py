"""The reflection questions as worded locally, and the cues in the talk that choose them.

A few wordings per aspect, chosen by the moment so sessions do not read alike. Each names its
moment by time and echoes its words (`{echo}`, verbatim), so no question is generic.
"""

from __future__ import annotations

import re

# what to look for in the therapist's answers and in the talk about the work together

FIXING = re.compile(
    r"\b(you (?:could|might|should|can) (?:try|start|do|think about|write|call|ask)|have you "
    r"tried|what if you|try (?:to|this|that|doing)|one thing (?:you|that)|let'?s (?:try|make|"
    r"plan|work out)|homework|a plan|next step|i'?d suggest|i suggest|my suggestion|exercise)\b",
    re.IGNORECASE,
)
ALLIANCE_CUES: dict[str, re.Pattern[str]] = {
    "bond": re.compile(
        r"\b(trust (?:you|this|me)|with you|you (?:get|understand) me|you (?:don'?t|do not) "
        r"(?:get|understand|listen)|comfortable (?:here|with you|talking)|safe (?:here|with you|"
        r"to say)|glad i (?:came|told you)|(?:hard|easier) to (?:say|tell you)|judge me|"
        r"(?:angry|annoyed|upset|frustrated) with you)\b",
        re.IGNORECASE,
    ),
    "goals": re.compile(
        r"\b(goals?|what (?:i|you) want(?:ed)? (?:from|out of) (?:this|therapy|coming here)|"
        r"why (?:i'?m|you'?re) here|work on|working towards?|hoping (?:for|to|this)|the point of "
        r"(?:this|coming))\b",
        re.IGNORECASE,
    ),
    "tasks": re.compile(
        r"\b(homework|exercises?|worksheet|diary|journal(?:ling)?|practi[cs]e (?:it|this|that)|"
        r"between sessions|the way we(?:'re| are) (?:doing|working)|this approach|(?:this|that|"
        r"it) (?:isn'?t|is not|wasn'?t|was not) (?:working|helping))\b",
        re.IGNORECASE,
    ),
}

# the questions


FELT = (
    "At {time} the client said “{echo}”{seen_clause}. What did you notice in yourself right "
    "then — in your body, your thoughts, any urge to move toward or away?",
    "Go back to {time}, to “{echo}”{seen_clause}. What was happening in you as you heard this, "
    "and did any of it show in how you answered?",
    "At {time}, hearing “{echo}”{seen_clause}: what was your own response in that moment, "
    "before you chose what to say?",
)
PULL_FIXING = (
    "At {time} you offered something to do: “{echo}”. What pulled you toward it at that point — "
    "and what might staying a little longer with what the client had just said have given "
    "them, or you?",
    "At {time} you moved toward a solution with “{echo}”. Looking back, was that pull coming "
    "from the client's need, from your own discomfort, or from somewhere else?",
)
PULL_STAYING = (
    "At {time} you answered “{echo}”. Was there a pull to fix or to offer something here, and "
    "what did you do with it?",
    "At {time}, after what the client had just said, you said “{echo}”. What did you want to do "
    "in that moment, and what helped you choose between doing something and staying with them?",
)
PULL_CLIENT = (
    "When the client said “{echo}” at {time}, did you feel pulled to answer it, to fix it, or "
    "to stay with it? What did you do with that pull?",
)
ALLIANCE_Q = {
    "goals": (
        "At {time} the talk touched on what the work is for: “{echo}”. How closely do you think "
        "you and the client agree on the goals right now — and how would you find out?",
        "At {time} the client spoke about what they want from this: “{echo}”. Are you working "
        "toward the same thing? Where might your goals and theirs differ?",
    ),
    "tasks": (
        "At {time} the talk turned to how you work together: “{echo}”. How much is the client "
        "with you on the tasks — this way of working, these steps — and how do you know?",
        "At {time} the client spoke about what you do in or between sessions: “{echo}”. What "
        "does this say about your agreement on the tasks of therapy, and does it call for a "
        "conversation?",
    ),
    "bond": (
        "At {time} something was said about the two of you: “{echo}”. How was the bond between "
        "you in this session, and what do you notice in yourself when you come back to it?",
        "At {time} the client spoke about being with you: “{echo}”. What was happening in the "
        "relationship here — and how much of it was the client's, how much yours?",
    ),
}
NEEDS_Q = {
    "tools": (
        "At {time} the client asked for something practical: “{echo}”.{balance} Across the "
        "session, how much of what you offered met that, and how much went toward connection? "
        "What do you make of that balance for this client now?",
    ),
    "connection": (
        "At {time} the client spoke of wanting to be heard or understood: “{echo}”.{balance} Did "
        "the session give them that, and where did it turn toward tools or advice? Which did "
        "this client need today?",
    ),
}
CARE = (
    "Near {time}, late in the session, the client said “{echo}”{seen_clause}. What are you still "
    "carrying from this session, if anything, and what would help you set it down before your "
    "next one?",
    "The session drew toward its end around {time}, with “{echo}”{seen_clause}. Before the next "
    "client or the end of your day: what do you need right now, and what will you do to get it?",
)
