"""The questionnaires Ginnel ships, as data: items, answer scales, scoring rule, licence.

Each community gets a copy (``Questionnaire`` rows) when it is made, so a
community's answers always point at the version they were given against. The
words are stored in English and shown through the translation catalogue
(``gettext_noop`` marks them for it here).

- ONS4: the Office for National Statistics' four personal wellbeing questions,
  0–10 each, reported one by one and never added up.
- UCLA-3: the three-item loneliness scale (Hughes et al. 2004), 1–3 each,
  total 3–9, higher is lonelier.
- SWEMWBS: the short Warwick-Edinburgh Mental Wellbeing Scale, 1–5 each, raw
  total 7–35 turned into a metric score by the authors' table. Shipped switched
  off: a deployer must register with the University of Warwick for a licence
  before switching it on.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

ONS4: dict[str, Any] = {
    "code": "ons4",
    "version": 1,
    "title": N_("Personal wellbeing (ONS4)"),
    "enabled": True,
    "licence_note": N_(
        "Office for National Statistics personal wellbeing questions. Crown copyright, "
        "free to use under the Open Government Licence. Report each question on its own; "
        "never add them together."
    ),
    "definition": {
        "intro": N_(
            "Next are four questions about your feelings on aspects of your life. "
            "There are no right or wrong answers. Answer each on a scale of 0 to 10, "
            "where 0 is 'not at all' and 10 is 'completely'."
        ),
        "items": [
            {
                "code": "life_satisfaction",
                "text": N_("Overall, how satisfied are you with your life nowadays?"),
                "min": 0,
                "max": 10,
                "anchors": {"0": N_("Not at all"), "10": N_("Completely")},
            },
            {
                "code": "worthwhile",
                "text": N_(
                    "Overall, to what extent do you feel that the things you do in your life "
                    "are worthwhile?"
                ),
                "min": 0,
                "max": 10,
                "anchors": {"0": N_("Not at all"), "10": N_("Completely")},
            },
            {
                "code": "happiness",
                "text": N_("Overall, how happy did you feel yesterday?"),
                "min": 0,
                "max": 10,
                "anchors": {"0": N_("Not at all"), "10": N_("Completely")},
            },
            {
                "code": "anxiety",
                "text": N_("Overall, how anxious did you feel yesterday?"),
                "min": 0,
                "max": 10,
                "anchors": {"0": N_("Not at all anxious"), "10": N_("Completely anxious")},
                # Unlike the other three, a higher answer here is worse.
                "higher_is_better": False,
            },
        ],
        "scoring": {
            "method": "each_item",
            # The ranges ONS reports each question in.
            "bands": {
                "life_satisfaction": [
                    [0, 4, "low"],
                    [5, 6, "medium"],
                    [7, 8, "high"],
                    [9, 10, "very_high"],
                ],
                "worthwhile": [
                    [0, 4, "low"],
                    [5, 6, "medium"],
                    [7, 8, "high"],
                    [9, 10, "very_high"],
                ],
                "happiness": [
                    [0, 4, "low"],
                    [5, 6, "medium"],
                    [7, 8, "high"],
                    [9, 10, "very_high"],
                ],
                "anxiety": [[0, 1, "very_low"], [2, 3, "low"], [4, 5, "medium"], [6, 10, "high"]],
            },
        },
    },
}

_UCLA_SCALE = {"1": N_("Hardly ever"), "2": N_("Some of the time"), "3": N_("Often")}

UCLA3: dict[str, Any] = {
    "code": "ucla3",
    "version": 1,
    "title": N_("Loneliness (UCLA three-item scale)"),
    "enabled": True,
    "licence_note": N_(
        "Three-item loneliness scale from Hughes, Waite, Hawkley and Cacioppo (2004), "
        "Research on Aging 26(6), as used by the Office for National Statistics. Free to use; "
        "cite the paper. The total runs from 3 to 9; higher means lonelier."
    ),
    "definition": {
        "intro": N_(
            "The next questions are about how you feel about different parts of your life."
        ),
        "items": [
            {
                "code": "lack_companionship",
                "text": N_("How often do you feel that you lack companionship?"),
                "min": 1,
                "max": 3,
                "anchors": _UCLA_SCALE,
            },
            {
                "code": "left_out",
                "text": N_("How often do you feel left out?"),
                "min": 1,
                "max": 3,
                "anchors": _UCLA_SCALE,
            },
            {
                "code": "isolated",
                "text": N_("How often do you feel isolated from others?"),
                "min": 1,
                "max": 3,
                "anchors": _UCLA_SCALE,
            },
        ],
        "scoring": {"method": "sum", "higher_is_better": False},
    },
}

_SWEMWBS_SCALE = {
    "1": N_("None of the time"),
    "2": N_("Rarely"),
    "3": N_("Some of the time"),
    "4": N_("Often"),
    "5": N_("All of the time"),
}

SWEMWBS: dict[str, Any] = {
    "code": "swemwbs",
    "version": 1,
    "title": N_("Mental wellbeing (SWEMWBS)"),
    "enabled": False,
    "licence_note": N_(
        "Short Warwick-Edinburgh Mental Wellbeing Scale. © University of Warwick, NHS Health "
        "Scotland and the University of Edinburgh. Free to use, but each organisation using it "
        "must first register with the University of Warwick for a licence; it is switched off "
        "until the deployer has done so. Check the conversion table against the one you are sent."
    ),
    "definition": {
        # Switching it on needs the deployer to confirm their licence registration.
        "needs_licence": True,
        "intro": N_(
            "Below are some statements about feelings and thoughts. Choose the answer that best "
            "describes your experience of each over the last 2 weeks."
        ),
        "items": [
            {"code": code, "text": text, "min": 1, "max": 5, "anchors": _SWEMWBS_SCALE}
            for code, text in (
                ("optimistic", N_("I've been feeling optimistic about the future")),
                ("useful", N_("I've been feeling useful")),
                ("relaxed", N_("I've been feeling relaxed")),
                ("dealing_with_problems", N_("I've been dealing with problems well")),
                ("thinking_clearly", N_("I've been thinking clearly")),
                ("close_to_others", N_("I've been feeling close to other people")),
                ("own_mind", N_("I've been able to make up my own mind about things")),
            )
        ],
        "scoring": {
            "method": "sum_then_table",
            # Raw total → metric score (Stewart-Brown et al. 2009, Rasch conversion).
            "table": {
                "7": 7.00,
                "8": 9.51,
                "9": 11.25,
                "10": 12.40,
                "11": 13.33,
                "12": 14.08,
                "13": 14.75,
                "14": 15.32,
                "15": 15.84,
                "16": 16.36,
                "17": 16.88,
                "18": 17.43,
                "19": 17.98,
                "20": 18.59,
                "21": 19.25,
                "22": 19.98,
                "23": 20.73,
                "24": 21.54,
                "25": 22.35,
                "26": 23.21,
                "27": 24.11,
                "28": 25.03,
                "29": 26.02,
                "30": 27.03,
                "31": 28.13,
                "32": 29.31,
                "33": 30.70,
                "34": 32.55,
                "35": 35.00,
            },
        },
    },
}

SHIPPED: tuple[dict[str, Any], ...] = (ONS4, UCLA3, SWEMWBS)
