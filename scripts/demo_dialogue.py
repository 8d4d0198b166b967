"""The demo session's script: a fictional client, written by the project, spoken by espeak-ng.

Arc: flat and low at first; anxious and irritable in the middle (sleep, work, feeling a burden,
guilt); a request for practical tools, then a wish to be heard rather than advised; one passage of
passive suicidal ideation that the therapist meets by gently asking about safety (no plan, a reason
to stay); some relief and hope at the end. Words are common and numbers are spelled out so the
synthetic voices stay intelligible to speech recognition.
"""

from __future__ import annotations

from speech import Turn

T, C = "therapist", "client"

SEED = 20240611  # fixes the gaps between turns, so a rebuild gives the same audio

DIALOGUE: list[Turn] = [
    Turn(T, "Hello, come in and sit wherever you like. How have things been this week?"),
    Turn(C, "Honestly, not great. I feel flat most of the time. Nothing really seems worth doing."),
    Turn(T, "Flat, as if the colour has gone out of things."),
    Turn(C, "Yes. I get up, I go to work, I come home, and then I just sit there."),
    Turn(T, "What is it like for you, sitting there in the evening?"),
    Turn(C, "Quiet and heavy. I keep going over everything I did wrong that day."),
    Turn(T, "It sounds like a lot of your thoughts turn against you."),
    Turn(C, "They do. And then I can't sleep. I lie awake until three or four in the morning."),
    Turn(T, "That is a long time to be alone with those thoughts."),
    Turn(C, "It is. Then I am so tired at work that I make mistakes, and my manager notices."),
    Turn(T, "Tell me more about what happens at work."),
    Turn(
        C,
        "Everyone is so busy, and I feel like I am slowing them down. "
        "I feel like a burden to all of them.",
    ),
    Turn(T, "A burden. That is a heavy word. Where else do you feel that way?"),
    Turn(
        C,
        "At home too. My wife keeps asking what is wrong, and I never know what to say. "
        "I feel so guilty that she has to deal with me.",
    ),
    Turn(T, "So there is guilt as well, as if struggling is something you are doing to her."),
    Turn(
        C,
        "Well, it is. I know it is. Look, I am tired of talking about how I feel. "
        "Can you just give me something to do about the sleep?",
    ),
    Turn(
        T, "Of course. We can look at the sleep together. Shall we start with a few simple steps?"
    ),
    Turn(C, "Yes, please. Something practical."),
    Turn(
        T,
        "One idea is to get up at the same time every morning, even after a bad night. "
        "And if you are lying awake for a long time, get up, go to another room, "
        "and do something quiet until you feel sleepy.",
    ),
    Turn(C, "I can try that. I used to read before bed. Maybe I could do that again."),
    Turn(
        T,
        "That sounds like a good place to start. What goes through your mind when you lie awake?",
    ),
    Turn(
        C,
        "My mind just races. Did I send that email? Did I upset someone? What if I lose my job?",
    ),
    Turn(T, "The worry sounds very loud at night."),
    Turn(
        C,
        "It is loud all the time. And everyone keeps telling me what to do. "
        "Go for a walk, drink less coffee, think positive.",
    ),
    Turn(C, "I don't need advice. I just need someone to get it.", pause_before=2.2),
    Turn(
        T,
        "I hear you. You are carrying so much, and people rush to fix it "
        "instead of staying with you in it.",
    ),
    Turn(C, "Yes. That is exactly it."),
    Turn(T, "I am here, and I want to understand what this is like for you."),
    Turn(C, "Sometimes I think everyone would be better off without me.", pause_before=4.5),
    Turn(
        T,
        "Thank you for telling me that. It matters. When you have that thought, "
        "do you ever think about ending your life?",
    ),
    Turn(
        C,
        "No, not like that. I don't have a plan. It is more that I wish I could disappear "
        "for a while.",
    ),
    Turn(T, "I am glad you could say it. What keeps you going on the hard days?"),
    Turn(C, "My daughter. I could never leave her. She still needs her dad."),
    Turn(
        T,
        "Your daughter matters so much to you. If those thoughts ever get stronger, "
        "would you be willing to tell me, or call someone straight away?",
    ),
    Turn(C, "Yes. I can do that."),
    Turn(T, "How are you feeling now, after saying all of that out loud?"),
    Turn(C, "Lighter, actually. A bit embarrassed, but lighter."),
    Turn(T, "It took courage to say it. There is nothing to be ashamed of."),
    Turn(
        C,
        "I was ashamed to even come here at first. But talking helps. Maybe things can get better.",
    ),
    Turn(
        T,
        "I think they can. So this week, getting up at the same time, reading before bed, "
        "and noticing when the worry gets loud.",
    ),
    Turn(C, "I can do that. Thank you for listening."),
    Turn(T, "Thank you for trusting me with all of this. I will see you next week."),
]
