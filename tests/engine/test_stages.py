"""Each stage of the answer pipeline on its own: understand, verify, decide (and the fitted data file)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from bot.engine.candidates import gather
from bot.engine.decide import GATE_FEATURES, LABELLED_SETS, MODEL_FILE, load_model
from bot.engine.features import FEATURES
from bot.engine.text import stem
from bot.engine.understand import understand
from bot.engine.verify import check_entry
from bot.knowledge.schema import Phase
from bot.render import render_text
from tests.conftest import ROOT, TODAY


def read(engine, text: str):
    return understand(text, engine.index)


class TestUnderstand:
    @pytest.mark.parametrize(
        ("text", "lead"),
        [
            ("when does the secondary mastery specialist programme close", "deadline"),
            ("sms deadine?", "deadline"),  # a typo in the word that carries the intent
            ("can I still apply for the SMS", "deadline"),
            ("how many days is the secondary mastery specialist programme", "time"),
            ("primary mastery specialist days per yr?", "time"),
            ("how many minutes a day is mastering number at ks2?", "time"),  # a duration, not a count of something
            ("why fewer days out of school for mastery specialists?", "why"),  # opening with why asks for a reason
            ("how come the deadline was extended?", "why"),
            ("primary SKTM options", "list"),  # "options" at the end asks what there is
            ("When is the next China exchange running and can I apply?", "future"),  # a round the sources never give
            ("In the 2017-18 list, what did the primary intervention work group (NCP17-08a) actually do?", "what"),  # a document
            ("nursery teacher - what was on offer for early years practitioners in the 2017-18 list", "list"),
            ("what does the sktm for tas cots", "cost"),
            ("am i elegible for the eef trial", "eligibility"),
            ("is it possible to take part in the eef trial", "eligibility"),  # asks whether one may, like "can we"
            ("who actually bankrolls the maths hubs?", "funder"),  # who pays is not what it costs
            ("who pays for the maths hubs programme", "funder"),
            ("the evaluation is paid by who?", "funder"),
            ("how do I apply for mastering number", "apply"),
            ("why did the secondary mastery specialist programme change", "why"),
            ("what percentage of schools work with their maths hub", "how_many"),
            ("what is the difference between sktm and tfm", "compare"),
            ("list all the sktm programmes", "list"),
            ("how many primary sktm programmes r there", "list"),
            ("what does sktm stand for", "acronym"),
            ("how do I contact the hub", "contact"),
            ("can you write me a year 5 fractions worksheet", "task"),
            ("list all the primary SKTM programmes please, I'm in a one-form entry school and can't keep up", "list"),
            ("I'm at an FE college, not a school. Does the EEF SKTM trial include us?", "eligibility"),
            ("where r the central ncetm events for sms held", "venue"),  # text-speak read as words
            ("wen does the sms close", "deadline"),
            ("sms places", "places"),
            ("psm dates", "schedule"),
            ("sms deadline date", "deadline"),
            ("riwg 2026 themes", "future"),
            ("kent hub lead name", "people"),
            ("whats the status of my mastery specialist application", "personal"),
            ("which two MATs were involved in the overseas teachers RIWG", "participants"),
            ("How much an Intensive Support Partner is paid per day?", "pay"),
            ("sms supply cover", "cover"),
            ("mastery specialist pay", "pay"),
            ("do we have to pay for sktm", "cost"),
            ("What rate should we pay a cover supervisor for the SMS release days?", "pay"),
            ("Does the EEF pay schools a participation grant for the SKTM trial?", "pay"),
            ("Is VAT added on top for Problem Solving Matters?", "admin"),
            ("Can the hub send us the slides from the parent workshops?", "materials"),
            ("what % of schools engaged with their hub in 23/24? need it for a slide", "how_many"),  # a slide to make, not materials
            ("Are the Subject Leadership Community meetings on Tuesday after school?", "schedule"),
            ("which work groups are running near me", "contact"),
            ("where's the fuller detail on the SMS changes?", "links"),
            ("secondary schools at development vs embedding numbers?", "compare"),  # led by the figures once no two offers are named
            ("EEF SKTM trial - FE college ok?", "eligibility"),  # a fragment ending "ok?" asks whether one may
            ("could our science hod come along to the maths and science sustaining group?", "eligibility"),
            ("can you send me the sms form", "apply"),  # "send" is no "may we come"
            ("what counts as a non-specialist for the eef trial?", "who_for"),  # "counts as" defines; it asks no figure
            ("which phases did the pd lead programme cover back in 2017", "who_for"),  # the phases an offer is for
            ("by when were hubs meant to have three quarters of primaries doing mastery?", "when"),  # a target, not a closing date
            ("sms applications by when?", "deadline"),
            ("how does someone become an LLME?", "apply"),  # how to become one is how to get in
            ("can we jump straight into mastering number at ks2?", "eligibility"),
            ("Is there programme for people like me?", "exists"),  # no article, as a learner of English writes it
            ("The Maths Hub has something for TA in secondary?", "exists"),
            ("anything else we need to meet for the eef trial?", "eligibility"),  # the criteria still to meet
        ],
    )
    def test_question_type(self, engine, text: str, lead: str) -> None:
        assert read(engine, text).lead == lead

    def test_a_target_asked_by_when_gets_its_year(self, engine) -> None:
        reply = engine.answer("by when were hubs meant to have three quarters of primaries doing mastery?", TODAY)
        assert reply.status == "answered" and "2025" in render_text(reply)

    def test_how_to_become_a_role_no_entry_says_how_to_get_is_not_known(self, engine) -> None:
        reply = engine.answer("whats a headteacher advocate and how do i become one", TODAY)
        assert reply.status == "unknown"

    def test_a_school_in_wales_stated_apart_is_ruled_out_of_the_eef_trial(self, engine) -> None:
        """The trial is for schools in England: "a state secondary just over the border in Wales" is a verdict, not
        "the hubs are England's network" with no answer."""
        reply = engine.answer("Our trust has a state secondary just over the border in Wales. Could that school join the EEF SKTM trial?", TODAY)
        assert reply.status == "answered" and reply.headline.startswith("No") and "England" in reply.headline

    def test_anything_for_a_role_is_the_one_offer_for_it(self, engine) -> None:
        reply = engine.answer("ECT in y3, honestly my maths subject knowledge is wobbly. anything for ECTs specifically?", TODAY)
        assert reply.status == "answered" and reply.topics[0] == "sktm-primary-ects"

    def test_anything_for_a_role_about_something_else_is_not_that_offer(self, engine) -> None:
        reply = engine.answer("any cpd for physics teachers thru the hub? im a science teacher", TODAY)
        assert reply.status == "unknown"

    def test_an_alias_is_named_only_when_its_words_stand_together(self, engine) -> None:
        """"Our EYFS lead … an infant school" does not name the Lead School; "the lead school" does."""
        scattered = engine.answer(  # a tuning question (t10) that was answered from the hub-leadership entry
            "Hi, I'm the school business manager at a one-form entry infant school. Our EYFS lead wants to do the Early "
            "Years SKTM programme but we have basically no CPD budget left. Will there be a course fee?", TODAY)
        assert not (scattered.status == "answered" and scattered.topics[:1] == ("maths-hub-leadership",))
        together = engine.answer("who is the lead school for our hub?", TODAY)
        assert together.topics[:1] == ("maths-hub-leadership",)

    def test_counts_as_asks_for_no_figure(self, engine) -> None:
        assert "how_many" not in read(engine, "what counts as a 'non-specialist' for the eef sktm trial?").asks
        assert "how_many" in read(engine, "how many schools count as engaged?").asks

    def test_a_relative_who_is_not_a_question_about_people(self, engine) -> None:
        asks = read(engine, "is there a group for people who lead a maths department").asks
        assert "people" not in asks
        assert "people" in read(engine, "who runs the sktm programme").asks

    def test_each_phase_is_a_school_phase_not_a_stage(self, engine) -> None:
        question = read(engine, "What does the Maths Hub offer for TAs in each phase?")
        assert "stages" not in question.asks
        assert question.lead == "list"
        assert "stages" in read(engine, "what are the phases of teaching for mastery").asks

    def test_the_asking_sentence_is_found_inside_a_long_message(self, engine) -> None:
        question = read(
            engine,
            "Hi all, hope you had a good half term. I lead maths at a small primary in Kent and we are new to "
            "the hub. Our head asked me to find out: when do applications close for the secondary mastery "
            "specialist programme? Thanks so much!",
        )
        assert question.lead == "deadline"
        assert "half" not in question.asked_content

    def test_attributes_are_read(self, engine) -> None:
        attributes = read(engine, "I'm a TA in Year 8 at a secondary, anything for me in 2025/26?").attributes
        assert attributes.named_phases == {Phase.SECONDARY}
        assert "ta" in attributes.roles
        assert 8 in attributes.years
        assert "ay2526" in attributes.academic_years

    def test_mentions_and_text_speak_are_not_topics(self, engine) -> None:
        question = read(engine, "<@123456789012345678> r u running sktm for tas")
        assert not {"123456789012345678", "r", "u"} & question.focus


class TestVerify:
    def _check(self, engine, text: str, entry_id: str):
        question = read(engine, text)
        evidence = next(e for e in gather(engine.index, question) if e.entry_id == entry_id)
        return check_entry(engine.index, question, evidence, engine.roles(evidence.indexed.entry), engine.stages(evidence.indexed.entry))

    def test_a_phase_the_entry_is_not_for_is_a_mismatch(self, engine) -> None:
        check = self._check(engine, "sktm for secondary ects", "sktm-primary-ects")
        assert check.phase_mismatch
        assert "secondary" in " ".join(check.missing)

    def test_the_entry_phase_matches(self, engine) -> None:
        check = self._check(engine, "sktm for primary ects", "sktm-primary-ects")
        assert not check.phase_mismatch and check.phase_match
        assert not check.missing

    def test_a_role_the_entry_is_not_for_is_a_mismatch(self, engine) -> None:
        check = self._check(engine, "is there an sktm programme for primary ects", "sktm-primary-teaching-assistants")
        assert check.role_mismatch and not check.phase_mismatch

    def test_a_key_stage_asked_for_that_the_entry_excludes_is_missing(self, engine) -> None:
        assert "KS3" in self._check(engine, "is there a mastering number for ks3?", "mastering-number-ks2").missing
        assert "KS3" in self._check(engine, "is there a mastering number for ks3?", "mastering-number-parent-project").missing
        assert not self._check(engine, "mastering number ks2 for year 6?", "mastering-number-ks2").missing

    def test_a_programme_s_third_year_is_no_key_stage(self, engine) -> None:
        # "year 3" of a programme is not Year 3 pupils: only key stages named outright are held against an entry
        assert not self._check(engine, "do sms still have to support other schools in yr3", "secondary-mastery-specialist").missing

    def test_an_offer_for_another_key_stage_is_not_answered_as_the_one_asked_for(self, engine) -> None:
        reply = engine.answer("is there a mastering number for KS3? our year 7s can't count", TODAY)
        assert reply.status == "unknown" and "KS3" in reply.headline


class TestDecide:
    def test_the_model_is_loaded_from_the_data_file(self, engine) -> None:
        raw = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        assert engine.model.answer_at == raw["thresholds"]["answer_at"]
        assert engine.model.clarify_at == raw["thresholds"]["clarify_at"]
        assert engine.model.tie_margin == raw["thresholds"]["tie_margin"]
        assert 0 < engine.model.clarify_at < engine.model.answer_at < 1

    def test_a_file_fitted_for_other_features_is_refused(self, tmp_path: Path) -> None:
        raw = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        raw["features"] = raw["features"][:-1]
        path = tmp_path / "decision.json"
        path.write_text(json.dumps(raw), encoding="utf-8")
        with pytest.raises(ValueError, match="refit"):
            load_model(path)

    def test_weights_file_agrees_with_the_features_and_the_fitting_data(self) -> None:
        raw = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        assert tuple(raw["features"]) == FEATURES and len(raw["rank"]) == len(FEATURES)
        assert tuple(raw["gate_features"]) == GATE_FEATURES and len(raw["gate"]) == len(GATE_FEATURES)
        assert raw["fitted"]["sets"] == list(LABELLED_SETS), "a labelled set was added or removed: refit"
        digest = hashlib.sha256()
        for name in raw["fitted"]["sets"]:
            digest.update((ROOT / name).read_bytes())
        assert digest.hexdigest()[:16] == raw["fitted"]["data"], (
            "the labelled sets changed since the model was fitted: run `python -m bot.engine.fit --write`"
        )

    def test_thresholds_decide_answer_clarify_and_decline(self, engine) -> None:
        sure = engine.analyse("when does the secondary mastery specialist programme close")
        assert sure.decision.action == "answer"
        assert sure.decision.best.probability >= engine.model.answer_at
        vague = engine.analyse("what's the weather like in Margate")
        assert vague.decision.action in {"unknown", "outside"}


class TestDecisionRules:
    def test_a_role_offered_only_in_another_phase_is_said_to_be_missing(self, engine) -> None:
        reply = engine.answer("sktm for secondary ects", TODAY)
        text = render_text(reply)
        assert reply.status == "unknown"
        assert "nothing in my notes for secondary early career teachers" in text
        assert "Primary Early Career Teachers" in text

    def test_a_named_offer_and_a_deciding_situation_get_the_verdict(self, engine) -> None:
        reply = engine.answer(
            "our non-specialist (history trained) only teaches year 7 maths. can we still do the eef sktm trial?", TODAY,
        )
        assert reply.status == "answered"
        assert reply.topics[0] == "sktm-secondary-nonspecialist-eef-trial"
        assert render_text(reply).splitlines()[1].startswith("No")

    def test_an_outside_topic_beside_a_named_offer_is_declined(self, engine) -> None:
        reply = engine.answer("I teach in Glasgow. Is there a Scottish version of Teaching for Mastery work groups?", TODAY)
        assert reply.status == "unknown"
        assert "England" in render_text(reply)

    @pytest.mark.parametrize(
        ("question", "missing"),
        [
            ("problem solving matters start date?", "session dates or times for the Problem Solving Matters"),
            ("sms venue parking?", "venue or location details for the Secondary Mastery Specialist Programme"),
            ("link to the secondary mastery specialist application page url", "web addresses"),
        ],
    )
    def test_a_detail_the_sources_never_give_is_named_as_missing(self, engine, question: str, missing: str) -> None:
        reply = engine.answer(question, TODAY)
        assert reply.status == "unknown"
        assert missing in render_text(reply)


class TestFiguresAndRequests:
    def test_a_figure_question_gets_the_entry_s_other_figures_about_what_it_counts(self, engine) -> None:
        from bot.engine.decide import figure_companions

        analysis = engine.analyse("how many llmes are there and how many started development programmes?")
        options = list(analysis.options)
        active = next(o for o in options if o.entry_id == "llme" and "1,500" in o.unit.text)
        shown = [o.unit.text for o in figure_companions(analysis.question, active, options)]
        assert any("852" in text for text in shown)  # the ones who started, which the active count does not say
        assert len(shown) <= 2

    def test_a_question_that_is_not_about_a_count_gets_no_companions(self, engine) -> None:
        from bot.engine.decide import figure_companions

        analysis = engine.analyse("what are research and innovation work groups?")
        options = list(analysis.options)
        assert figure_companions(analysis.question, options[0], options) == ()

    def test_an_faq_answers_what_its_own_questions_lead_with(self) -> None:
        from bot.engine.asks import detect_asks, unit_answers

        own = "why were the days of the programme cut"
        assert "why" in unit_answers("faq", "Because specialists found it hard to be away.", (own,))
        assert detect_asks(own)[0] == "why"
        assert set(unit_answers("faq", "Because specialists found it hard to be away.", (own,))) <= {"why", "changed"}

    def test_a_bare_request_asks_about_the_sentence_before_it(self) -> None:
        from bot.engine.understand import asking_sentences, sentences

        parts = sentences("My head asked me to find out the deadline for the SMS programme. Can you tell me?")
        assert asking_sentences(parts) == parts
        parts = sentences("I teach Year 4 and love it. When does mastering number start?")
        assert asking_sentences(parts) == ["When does mastering number start?"]

    def test_a_choice_shows_each_offer_s_answer_to_the_field_asked(self, engine) -> None:
        from bot.engine.understand import understand

        question = understand("when is the deadline for the mastery specialist programme", engine.index)
        entry = engine.kb.entries["secondary-mastery-specialist"]
        faq = next(o for o in engine.analyse("secondary mastery specialist accreditation").options
                   if o.entry_id == entry.id and o.unit.kind == "faq")
        assert "28 April" in engine.composer.hint(entry, question, TODAY, faq)


class TestPastAndFamilyLists:
    def test_a_phase_asked_about_in_the_past_lists_that_year_s_offers(self, engine) -> None:
        reply = engine.answer("new secondary teacher, bit of history - what secondary work groups were there in 2017-18", TODAY)
        text = render_text(reply)
        assert reply.status == "answered"
        assert "past offers, not running now" in text
        assert "Secondary Teaching for Mastery Work Group (2017-18)" in text
        assert all(engine.kb.entries[i].status == "historical" for i in reply.topics)

    def test_which_programmes_are_there_lists_the_family(self, engine) -> None:
        reply = engine.answer("which primary sktm programmes are there", TODAY)
        assert reply.status == "answered"
        assert {"sktm-primary-teachers", "sktm-primary-teaching-assistants", "sktm-primary-ects"} <= set(reply.topics)

    def test_another_offer_named_alike_shows_its_own_figure(self, engine) -> None:
        reply = engine.answer(
            "how many schools were involved in Mastering Number at Reception and KS1, and how many in the KS2 version?", TODAY,
        )
        text = render_text(reply)
        assert "1,349" in text and "1,111" in text

    def test_a_choice_names_the_documents_its_hints_come_from(self, engine) -> None:
        reply = engine.answer("mastery specialist?", TODAY)
        assert reply.status == "clarify"
        assert reply.sources
        assert render_text(reply).rstrip().endswith("_Source: " + "; ".join(reply.sources) + "_")


class TestComparisons:
    def test_a_comparison_of_figures_compares_the_figures(self, engine) -> None:
        text = render_text(engine.answer("numbers for the secondary SKTM - non-specialists vs the TA one?", TODAY))
        assert "407" in text and "285" in text


class TestNearMissesAndFamilies:
    """Classes of question found in this round's fresh sets: each asserts what the teacher would see."""

    def test_an_offer_no_entry_is_called_is_not_known_and_says_so(self, engine) -> None:
        reply = engine.answer("Is the Secondary Mastery Associate programme a lighter version of the specialist one?", TODAY)
        assert reply.status == "unknown"
        assert "secondary mastery associate programme" in render_text(reply)

    def test_a_count_for_the_hub_s_own_area_is_not_answered_with_a_national_one(self, engine) -> None:
        reply = engine.answer("How many schools in Kent and Medway are engaged with the hub?", TODAY)
        text = render_text(reply)
        assert reply.status == "unknown"
        assert "nationally" in text and "58%" in text  # says what it does know

    def test_a_code_without_its_letter_offers_the_family(self, engine) -> None:
        for question in ("what was ncp17-10", "y5-8 continuity work group code?"):
            reply = engine.answer(question, TODAY)
            assert reply.status == "clarify", question
            assert {"ncp17-10a-y5-8-continuity", "ncp17-10b-y5-8-multiplicative-reasoning"} <= set(reply.topics), question
        text = render_text(engine.answer("y5-8 continuity work group code?", TODAY))
        assert "NCP17-10a" in text and "NCP17-10b" in text  # each choice shows the field asked for

    def test_which_one_for_a_stated_role_answers_the_one_offer_for_it(self, engine) -> None:
        reply = engine.answer("I'm deputy head at a secondary. Which one should I send my secondary TAs to?", TODAY)
        assert reply.status == "answered"
        assert reply.topics[0] == "sktm-secondary-teaching-assistants"

    def test_send_as_a_verb_is_not_special_educational_needs(self) -> None:
        from bot.engine.text import tokens

        assert "send" not in tokens("which one should I send her to")
        assert tokens("support for SEND pupils").count("send") == 1

    def test_a_figure_alone_is_looked_up(self, engine) -> None:
        reply = engine.answer("7,576?", TODAY)
        assert reply.status == "answered"
        assert "7,576 primary schools" in render_text(reply)

    def test_near_me_is_for_the_local_hub(self, engine) -> None:
        text = render_text(engine.answer("who do I ask to find out which work groups are running near us?", TODAY))
        assert "local Maths Hub" in text

    def test_a_cost_for_an_independent_school_is_known_only_where_a_source_says_for_whom(self, engine) -> None:
        unsaid = engine.answer("I teach at an independent prep school. How much would a primary TfM Work Group cost us?", TODAY)
        assert unsaid.status == "unknown"
        said = engine.answer("psm - my student is at a private school, what does it cost?", TODAY)
        assert said.status == "answered" and "state-funded" in render_text(said)

    def test_a_two_part_question_gets_the_unit_holding_the_other_part(self, engine) -> None:
        text = render_text(engine.answer("chantry school in worcester - what's their FSM % and progress score?", TODAY))
        assert "16%" in text and "+.4" in text

    def test_a_request_for_the_fuller_write_up_points_to_the_document(self, engine) -> None:
        text = render_text(engine.answer("where's the fuller detail on the SMS changes? is there a doc?", TODAY))
        assert "information sheet" in text

    def test_a_month_in_a_premise_is_checked_not_looked_for(self, engine) -> None:
        reply = engine.answer("Am I right that the mastery specialist deadline got extended to 28 March?", TODAY)
        assert reply.status == "answered"
        assert "28 April 2025" in render_text(reply)

    def test_a_field_only_one_family_member_has_is_answered_naming_the_others(self, engine) -> None:
        reply = engine.answer("when did the mastery specialist programme close", TODAY)
        text = render_text(reply)
        assert reply.status == "answered"
        assert "28 April 2025" in text and "If you meant another one" in text


class TestWordsThatMisleadAlone:
    """Words whose sense depends on the rest of the message."""

    def test_hubs_in_the_plural_with_nothing_else_are_the_network(self, engine) -> None:
        reply = engine.answer("how many hubs", TODAY)
        assert reply.status == "answered"
        assert reply.topics[0] == "maths-hubs-in-numbers" and "40 Maths Hubs" in render_text(reply)
        assert "mathshub" not in read(engine, "does the hub run anything on fractions").words  # the asker's own hub

    def test_an_email_in_the_backstory_is_not_a_request_for_contact_details(self, engine) -> None:
        question = "I'm a head and the hub mentioned an ISP in an email to me. What's an ISP in the maths hub context?"
        assert "contact" not in read(engine, question).asks
        assert "Intensive Support Partner" in render_text(engine.answer(question, TODAY))
        assert read(engine, "what's the hub's email address?").lead == "contact"

    def test_any_chance_and_state_only_ask_who_may_take_part(self, engine) -> None:
        question = "we're independent - any chance with the EEF non-specialist trial or is it state only as usual?"
        assert "eligibility" in read(engine, question).asks
        assert "state-funded" in render_text(engine.answer(question, TODAY))

    def test_reasoning_is_a_topic_not_a_why_question(self, engine) -> None:
        assert "why" not in read(engine, "y5-8 multiplicative reasoning code").asks
        assert "NCP17-10b" in render_text(engine.answer("y5-8 multiplicative reasoning code", TODAY))
        assert read(engine, "what's the reasoning behind the SMS change?").lead == "why"

    def test_a_name_both_members_fit_asks_which(self, engine) -> None:
        reply = engine.answer("transition work group 2017 code", TODAY)
        assert reply.status == "clarify"
        assert {"ncp17-10a-y5-8-continuity", "ncp17-10b-y5-8-multiplicative-reasoning"} <= set(reply.topics)

    def test_a_phone_number_is_not_a_count(self, engine) -> None:
        question = "Please give me the email and phone number of Kent and Medway Maths Hub, I prefer to talk with a person."
        assert "how_many" not in read(engine, question).asks
        assert "phone number" in render_text(engine.answer(question, TODAY))


class TestListsAcrossPhases:
    def test_which_one_for_a_topic_one_offer_covers_is_not_the_phase_list(self, engine) -> None:
        # the likeliest answer covers "SEND" though it is not sure enough to answer: not every primary offer
        reply = engine.answer("Which one should I send our SENDCo and maths lead to if we want to improve maths for SEND "
                              "pupils in our mainstream primary?", TODAY)
        assert reply.intent != "list"

    def test_a_span_of_phases_names_every_phase_between(self, engine) -> None:
        phases = read(engine, "all the SKTM programmes from Early Years until post-16").attributes.named_phases
        assert phases == {Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY, Phase.POST_16}
        assert read(engine, "primary and secondary").attributes.named_phases == {Phase.PRIMARY, Phase.SECONDARY}

    @pytest.mark.parametrize("question", [
        "Give me please all the SKTM programmes that exist, from Early Years until post-16.",
        "Could you list every SKTM programme the Maths Hubs offer, nursery to sixth form?",
    ])
    def test_a_family_named_beside_the_network_is_listed_whole(self, engine, question: str) -> None:
        reply = engine.answer(question, TODAY)
        text = render_text(reply)
        assert reply.status == "answered" and reply.topics[0] == "sktm-programmes"
        assert "Early Years Teachers" in text and "Secondary Non-specialist" in text and "New to Core Maths" in text


class TestSituationsInFragments:
    @pytest.mark.parametrize("question", ["independent school eef trial?", "eef sktm trial school in wales"])
    def test_a_fragment_stating_what_rules_you_out_gets_the_verdict(self, engine, question: str) -> None:
        text = render_text(engine.answer(question, TODAY))
        assert "rules you out" in text and "state-funded" in text

    def test_a_fragment_is_not_told_it_meets_criteria(self, engine) -> None:
        text = render_text(engine.answer("new sustaining themes secondary 2023/24", TODAY))
        assert "you meet" not in text

    def test_does_she_fit_asks_eligibility(self, engine) -> None:
        assert "eligibility" in read(engine, "our non-specialist only has Y9 and Y10 maths groups. does she fit the EEF trial?").asks

    def test_another_trial_named_only_as_an_exclusion_is_not_the_sktm_trial(self, engine) -> None:
        reply = engine.answer("eef peer to peer coaching trial how to join", TODAY)
        assert reply.status == "unknown" and "not hub offers" in render_text(reply)
        verdict = render_text(engine.answer("we're in the peer to peer coaching trial, can we still join the EEF SKTM trial?", TODAY))
        assert "rules you out" in verdict

    def test_a_wh_question_is_not_read_as_a_stated_situation(self, engine) -> None:
        text = render_text(engine.answer("what does the hfl making fluent and flexible calculations trial actually involve", TODAY))
        assert "rules you out" not in text


class TestDetailsTheSourcesNeverGive:
    @pytest.mark.parametrize(("question", "missing"), [
        ("The 5.5 days central NCETM events of the specialist programme, where they take place? Which city?", "venue or location"),
        ("Could you confirm where the central NCETM events for the Secondary Mastery Specialist programme are held?", "venue or location"),
        ("supply cover rate for sms release days", "pay rates"),
        ("sms info sheet link", "web addresses"),
    ])
    def test_the_reply_says_which_detail_is_missing(self, engine, question: str, missing: str) -> None:
        reply = engine.answer(question, TODAY)
        assert reply.status == "unknown" and missing in render_text(reply)

    def test_online_or_in_person_is_not_where(self, engine) -> None:
        assert read(engine, "is the sms online or in person?").lead == "format"
        assert read(engine, "which city are the sms central events in?").lead == "venue"

    def test_the_annual_report_is_not_a_schedule(self, engine) -> None:
        from bot.engine.asks import unit_answers

        assert "schedule" not in unit_answers("fact", "The 2023/24 annual report says 997 schools took part.")
        assert "schedule" in unit_answers("fact", "Sessions run termly.")


class TestTopicWordsKept:
    def test_thinking_is_a_topic_word(self, engine) -> None:
        from bot.engine.text import stem

        assert stem("thinking") == "thinking" and stem("supporting") == "support"
        assert "thinking" in read(engine, "developing mathematical thinking theme").content

    def test_the_focus_asked_for_is_not_a_topic(self, engine) -> None:
        assert "focus" not in read(engine, "developing mathematical thinking theme - whats the focus").focus


class TestNetworkCollaborativeProjects:
    def test_how_many_ncps_is_answered_from_their_own_entry(self, engine) -> None:
        reply = engine.answer("How many Network Collaborative Projects are there now compared with the start?", TODAY)
        text = render_text(reply)
        assert reply.status == "answered" and reply.topics[0] == "network-collaborative-projects"
        assert "33" in text and "17" in text

    def test_ncp_in_a_code_question_asks_for_a_code(self, engine) -> None:
        assert "ncp" not in read(engine, "ncp code for the continuity one?").content
        assert "NCP17-10" in render_text(engine.answer("ncp code for the continuity one?", TODAY))

    def test_a_past_offer_named_outright_is_not_set_aside_for_a_current_one_named_less(self, engine) -> None:
        reply = engine.answer("supporting post-16 mathematics leadership wg who was that aimed at", TODAY)
        assert reply.status == "answered" and reply.topics[0] == "ncp17-19-post16-leadership"


class TestDiscordChat:
    def test_chat_filler_and_typed_mentions_are_not_what_is_asked_about(self, engine) -> None:
        assert "bump" not in read(engine, "bump — anyone know if sktm costs anything?").focus
        assert "jo" not in read(engine, "@Jo said it's free for academies?").content
        assert "Sorry" not in render_text(engine.answer("bump — anyone know if sktm costs anything?", TODAY))

    def test_an_email_address_is_still_dropped_whole(self, engine) -> None:
        assert not {"jo", "school", "org"} & read(engine, "email me at jo@school.org about the SMS deadline").content


class TestUnderspecifiedFieldQuestions:
    def test_a_field_asked_of_nothing_named_is_not_answered_from_one_faq(self, engine) -> None:
        reply = engine.answer("^ this. also is it free?", TODAY)
        assert reply.status == "clarify" and len(reply.topics) >= 2

    def test_a_field_only_one_offer_has_is_offered_to_confirm(self, engine) -> None:
        reply = engine.answer("when's the closing date?", TODAY)
        text = render_text(reply)
        assert reply.status == "clarify" and reply.topics == ("secondary-mastery-specialist",)
        assert "only one in my notes" in text and "28 April 2025" in text and "Which one" not in text


class TestEitherOr:
    def test_a_family_asked_primary_or_secondary_lists_one_for_each(self, engine) -> None:
        reply = engine.answer("is the TA sktm for primary or secondary?", TODAY)
        assert set(reply.topics) == {"sktm-primary-teaching-assistants", "sktm-secondary-teaching-assistants"}
        assert "one for each" in render_text(reply)

    def test_a_choice_between_two_is_not_a_yes_no_question(self) -> None:
        from bot.engine.wording import is_yes_no

        assert not is_yes_no("is the ta sktm for primary or secondary")
        assert is_yes_no("is it free or not") and is_yes_no("is the sms free")

    def test_a_comparison_sets_side_by_side_the_two_it_names_best(self, engine) -> None:
        reply = engine.answer("what's the difference between the primary and secondary mastery specialist programmes?", TODAY)
        assert set(reply.topics[:2]) == {"primary-mastery-specialist", "secondary-mastery-specialist"}

    def test_a_secondary_academy_meets_the_state_funded_criterion(self, engine) -> None:
        text = render_text(engine.answer("we're a secondary academy in kent, can our non-specialist do the EEF trial?", TODAY))
        assert "you meet: be a state-funded" in text and "Year 8" in text
        assert "you meet" not in render_text(engine.answer("we're a primary academy, can we do the EEF trial?", TODAY))


class TestHowToApply:
    def test_reading_links_are_not_how_to_sign_up(self, engine) -> None:
        text = render_text(engine.answer("how do i sign up for a tfm work group?", TODAY))
        assert "Mastery Explained" not in text.split("**What I do know**")[0]
        assert "Axis account" in render_text(engine.answer("how do I apply for the SMS?", TODAY))

    def test_an_if_clause_is_context_not_the_ask(self, engine) -> None:
        question = "if we sign up for the secondary TfM work group do we also have to do the subject leadership communities?"
        asks = read(engine, question).asks
        assert "apply" not in asks and "eligibility" in asks

    def test_a_field_no_member_of_the_family_has_is_not_known_naming_them_all(self, engine) -> None:
        """Asking which SKTM programme is meant would get no answer either: none of them gives its days."""
        reply = engine.answer("sktm days", TODAY)
        text = render_text(reply)
        assert reply.status == "unknown" and len(reply.topics) >= 2
        assert "time commitment for any of the offers" in text and "SKTM" in text

    def test_which_member_to_choose_is_still_asked_back(self, engine) -> None:
        reply = engine.answer("which mastering number should we sign up for?", TODAY)
        assert reply.status == "clarify" and {"mastering-number-ks2", "mastering-number-reception-ks1"} <= set(reply.topics)


class TestNamedDetails:
    def test_a_contraction_is_its_words_not_another_word(self) -> None:
        from bot.engine.text import tokens

        assert tokens("we'd like what we'll need, I'm sure") == ["we", "would", "like", "what", "we", "will", "need", "i", "am", "sure"]
        assert "dont" in tokens("don't") and tokens("the hub's form") == ["the", "hub", "form"]

    def test_an_alias_for_part_of_an_entry_is_answered_by_the_unit_about_that_part(self, engine) -> None:
        reply = engine.answer("strategic board?", TODAY)
        lead = render_text(reply).split("**Also**")[0]
        assert reply.status == "answered" and "governing bod" in lead

    def test_a_not_known_reply_names_the_offer_the_question_names(self, engine) -> None:
        text = render_text(engine.answer("What does the teaching for mastery work group involve?", TODAY))
        assert "Teaching for Mastery" in text and "I can only help with" not in text

    def test_discourse_words_are_not_what_a_question_is_about(self, engine) -> None:
        question = read(engine, "we were told the sms is normally 15 days, I reckon that's gone down?")
        assert not {"told", "normally", "reckon", "gone"} & question.focus

    def test_still_without_applying_is_not_a_deadline_question(self, engine) -> None:
        assert "deadline" not in read(engine, "do llmes still teach or is it a full-time hub job?").asks
        assert read(engine, "can I still apply for the sms?").lead == "deadline"

    def test_a_link_asked_for_is_not_an_offer_named_link(self, engine) -> None:
        reply = engine.answer("application form link?", TODAY)
        assert reply.status == "clarify" and "secondary-mastery-specialist" in reply.topics

    def test_a_teacher_s_years_of_experience_is_no_time_commitment(self) -> None:
        from bot.engine.asks import unit_answers

        assert "time" not in unit_answers("fact", "A Reception teacher with over 20 years in Early Years took part.")
        assert "time" in unit_answers("fact", "The programme runs over three years.")
        assert "time" in unit_answers("fact", "It is 7.5 days in each of years 1 and 2.")

    def test_a_case_study_named_by_its_school_is_told_with_its_other_facts(self, engine) -> None:
        text = render_text(engine.answer("walford primary what changed when they went mastery", TODAY))
        assert "SHaW" in text and "whole-class teaching" in text


class TestPastOffersNamedAlike:
    def test_a_past_offer_named_by_the_same_words_is_mentioned_as_past_not_chosen(self, engine) -> None:
        reply = engine.answer("what do teachers do in the A level work group", TODAY)
        text = render_text(reply)
        assert reply.status == "answered" and reply.topics[0] == "a-level-pedagogy-work-group"
        assert "If you meant another one" in text and "(past: 2017/18)" in text

    def test_a_name_alone_mentions_the_past_offer_it_also_names(self, engine) -> None:
        reply = engine.answer("a level work group", TODAY)
        text = render_text(reply)
        assert reply.status == "answered" and reply.topics[0] == "a-level-pedagogy-work-group"
        assert "(past: 2017/18)" in text and "Using Technology" in text

    def test_a_past_offer_mentioned_beside_one_does_not_make_the_question_ambiguous(self, engine) -> None:
        reply = engine.answer("what is the A level work group", TODAY)
        assert reply.status == "answered" and reply.topics[0] == "a-level-pedagogy-work-group"

    def test_an_faq_asked_word_for_word_still_mentions_the_offers_named_alike(self, engine) -> None:
        text = render_text(engine.answer("how many schools are in MN?", TODAY))
        assert "1,349" in text and "If you meant another one" in text and "1,111" in text


class TestPartnersAndBudgets:
    def test_who_the_hubs_work_alongside_asks_for_partners_not_staff_names(self, engine) -> None:
        question = read(engine, "which organisations does the hub team up with for sixth forms?")
        assert question.lead == "partners"
        assert read(engine, "who leads the sms cohort?").lead == "people"

    def test_a_budget_is_a_cost_question(self, engine) -> None:
        assert read(engine, "what's the budget for the sktm course").lead == "cost"
        text = render_text(engine.answer("what's the budget for the sms", TODAY))
        assert "cost" in text and "I won't guess" in text

    def test_the_phases_the_hubs_cover_reach_reception_to_post_16(self, engine) -> None:
        text = render_text(engine.answer("what ages do the maths hubs cover?", TODAY))
        assert "Reception" in text and "post-16" in text


class TestAFamilyNamedWithAPhase:
    def test_a_family_name_with_a_phase_lists_that_phase_s_members(self, engine) -> None:
        reply = engine.answer("secondary sktm programmes", TODAY)
        assert reply.status == "answered"
        assert {"sktm-secondary-nonspecialist", "sktm-secondary-teaching-assistants"} <= set(reply.topics)
        assert "sktm-primary-teachers" not in reply.topics

    def test_a_kind_of_offer_with_a_phase_stays_a_choice_among_those_so_named(self, engine) -> None:
        reply = engine.answer("early years work groups", TODAY)
        assert reply.status == "clarify" and "mastering-number-reception-ks1" not in reply.topics


class TestSayingWhatIsMissing:
    def test_a_decline_quotes_only_words_the_notes_never_mention(self, engine) -> None:
        # "small" and "head" are in the notes (just not this way): quoting them would say the notes lack them
        questions = [
            "head of small rural primary, all mixed age classes how did st peters harrogate do mastery with mixed age",
            "A colleague says the Sussex AMHL only went on the Shanghai exchange because someone dropped out. Is that true?",
            "is the secondary mastery specialist programme any good for rural schools with long commutes",
        ]
        quoted = []
        for question in questions:
            text = render_text(engine.answer(question, TODAY))
            quoted += re.findall(r"“([^”]+)”", text.split("never mention", 1)[1].split(")", 1)[0]) if "never mention" in text else []
        assert quoted, "no decline quoted a missing word"
        assert all(stem(word) not in engine.index.content_idf for word in quoted), quoted

    def test_a_stated_timetable_without_year_8_rules_a_teacher_out_of_the_eef_trial(self, engine) -> None:
        text = render_text(engine.answer(
            "My non-specialist colleague teach only Year 9 and Year 10, no Year 8. Is possible to take part the EEF trial of SKTM?", TODAY))
        assert text.splitlines()[1].startswith("No — ") and "Year 8 class" in text


class TestPastOffersOfAPhase:
    @pytest.mark.parametrize("text", ["secondary work groups 2017", "2017-18 post-16 work groups, what were they all?"])
    def test_a_past_year_a_phase_and_a_plural_kind_list_that_years_offers(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.intent == "list" and "past offers, not running now" in reply.headline
        assert len(reply.topics) >= 3

    def test_codes_of_a_phase_list_each_offer_with_its_code(self, engine) -> None:
        text = render_text(engine.answer("post-16 codes 17-18", TODAY))
        assert "NCP17-18" in text and "NCP17-19" in text and "NCP17-20" in text

    def test_an_offer_named_in_the_plural_is_still_that_offer(self, engine) -> None:
        # "Subject Leadership Communities" is one offer's name, not a request for the phase's communities
        reply = engine.answer("are we expected to join the Secondary Subject Leadership Communities?", TODAY)
        assert reply.intent != "list"


class TestWhoFunds:
    @pytest.mark.parametrize("text", ["who actually bankrolls the maths hubs?", "Who pay for Maths Hubs Programme? Who give the money?"])
    def test_who_pays_is_answered_by_what_the_notes_say_funds_it(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "answered" and "Department for Education" in render_text(reply)

    def test_a_state_funded_school_is_not_a_funder(self, engine) -> None:
        text = render_text(engine.answer("The evaluation of SKTM non-specialist is paid by who?", TODAY))
        assert "Education Endowment Foundation" in text

    def test_an_offer_whose_funder_is_not_given_says_so(self, engine) -> None:
        reply = engine.answer("who funds the mastering number parent project?", TODAY)
        assert reply.status == "unknown" and "funding details" in reply.headline


class TestNamedOverUnnamed:
    def test_an_offer_the_question_names_beats_one_it_does_not(self, engine) -> None:
        # the Subject Leadership Communities entry mentions specialists, but the question names the programme
        reply = engine.answer("mastery specialist eligibility", TODAY)
        assert reply.topics and all("mastery-specialist" in topic for topic in reply.topics[:1])


class TestTheFigureAskedFor:
    def test_a_count_only_one_figure_says_is_answered_with_it(self, engine) -> None:
        reply = engine.answer("How many post-16 institutions worked with hubs in 2023/24?", TODAY)
        assert reply.status == "answered" and "141" in render_text(reply)

    def test_what_the_figure_counts_decides_between_figures_that_say_as_much(self, engine) -> None:
        # three 2023/24 secondary counts; only one counts secondary schools
        assert "2,037" in render_text(engine.answer("how many secondaries worked w hubs 23/24", TODAY))

    def test_a_family_named_without_its_phase_is_not_answered_with_one_member_s_count(self, engine) -> None:
        reply = engine.answer("how many TAs did SKTM last year?", TODAY)
        assert reply.status != "answered"

    def test_a_share_is_no_count(self, engine) -> None:
        # the trial's only figure is "at least 50% of that class's lessons", not how many schools
        assert "50%" not in render_text(engine.answer("eef trial school count", TODAY)).split("**What I do know**")[0]


class TestNamedByAPhrase:
    @pytest.mark.parametrize("text", ["the lead programme - who's it for? head wants me on it", "tell me about the lead programme"])
    def test_words_that_run_on_in_several_names_ask_which_of_those(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "clarify"
        assert {"pd-lead-programme", "sd-lead-programme"} <= set(reply.topics)
        assert "targeted-support" not in reply.topics

    def test_an_answer_the_question_also_names_is_kept(self, engine) -> None:
        # "EEF SKTM programme": "sktm programme" runs on in other names, but the trial is named too
        reply = engine.answer("Our candidate did her PGCE in physics, not maths. Does that count as a 'non-specialist' "
                              "for the EEF SKTM programme?", TODAY)
        assert reply.status == "answered" and reply.topics[0] == "sktm-secondary-nonspecialist-eef-trial"


class TestAReasonIsNotADuration:
    def test_days_asked_for_are_not_answered_by_the_reason_they_were_cut(self, engine) -> None:
        # an FAQ "why fewer days out of school?" answers why, not how long
        text = render_text(engine.answer("specialist programme how many days", TODAY))
        assert "7.5 days" in text.splitlines()[1]


class TestWhatANotKnownReplySpeaksOf:
    def test_a_plausible_offer_is_pointed_to_rather_than_nothing_on_that(self, engine) -> None:
        # an unsure answer about the Intensive Support Partner is "not sure … nearest", never "I can only help with …"
        reply = engine.answer("What is an Intensive Support Partner and what sort of person does it need to be?", TODAY)
        assert reply.status == "unknown" and "Targeted Support" in reply.headline
        assert "I can only help with" not in reply.headline

    def test_the_offer_named_outright_is_the_one_said_to_lack_the_field(self, engine) -> None:
        reply = engine.answer("primary mastery specialist days per yr?", TODAY)
        assert reply.status == "unknown" and "Primary Mastery Specialist Programme" in reply.headline

    def test_a_question_about_nothing_the_hub_offers_still_gets_nothing_on_that(self, engine) -> None:
        reply = engine.answer("who's playing glastonbury this year?", TODAY)
        assert "I can only help with" in reply.headline


class TestMayWeFromAnotherPhase:
    @pytest.mark.parametrize("text", ["I'm at an FE college, not a school. does the EEF SKTM trial include us?",
                                      "sixth-form college head of maths: are colleges even allowed on the SKTM EEF trial?"])
    def test_an_offer_named_for_other_phases_answers_with_who_it_is_for(self, engine, text) -> None:
        # the trial's own rule says "secondary school or college": "nothing for post-16" would hide it
        reply = engine.answer(text, TODAY)
        assert reply.status == "answered" and reply.headline.startswith("Who can take part, as my notes give it:")
        assert "colleges" in reply.headline and "not post-16" in reply.headline

    def test_an_audience_no_offer_has_is_still_said_to_be_missing(self, engine) -> None:
        # "SKTM for secondary ECTs" asks what there is, not whether one may: no such programme
        assert engine.answer("sktm for secondary ects?", TODAY).status == "unknown"


class TestTellingTheHubWhatYouWant:
    @pytest.mark.parametrize("text", ["how do i tell the hub what cpd we need",
                                      "Kent and Medway hub asked what training we want next year. How I can tell them my wishes?"])
    def test_saying_what_training_one_wants_is_the_hub_s_quick_form(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "answered" and reply.topics[0] == "training-needs-survey"


class TestJoiningAKindOfOffer:
    @pytest.mark.parametrize("text", ["how to join a work group", "How do I join the Work Group?"])
    def test_joining_one_of_a_kind_with_no_form_goes_through_the_hub_naming_the_current_ones(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "answered" and reply.intent == "contact" and "your local Maths Hub" in reply.headline.replace("Your", "your")
        assert "teaching-for-mastery" in reply.topics

    def test_who_to_ask_is_a_contact_question(self, engine) -> None:
        assert read(engine, "the 2017 doc says ask your hub which work groups are running.. so who exactly do i ask").lead == "contact"

    def test_an_offer_named_with_its_kind_still_asks_which_of_that_family(self, engine) -> None:
        assert engine.answer("How do we sign up for Mastering Number?", TODAY).intent != "contact"


class TestAVerdictKeepsItsQuestion:
    def test_an_faq_s_no_to_another_question_is_not_the_answer_to_this_one(self, engine) -> None:
        # "Can I still fill in the form?" must not read "No." — the FAQ's "No" answers "do I need to know the teacher?"
        reply = engine.answer("I'm the headteacher and I'd like to register our interest in the EEF SKTM trial now, but I "
                              "can't say which teacher it would be. Can I still fill in the expression of interest?", TODAY)
        assert not reply.headline.startswith("No")
        assert reply.headline.startswith("Do I need to know which teacher")

    def test_the_faq_s_own_question_asked_gets_its_verdict_directly(self, engine) -> None:
        reply = engine.answer("is it still 15 days a year on the secondary mastery specialist programme?", TODAY)
        assert reply.headline.startswith("No.")


class TestASituationIsStatedNotAsked:
    def test_a_trial_asked_about_is_not_one_the_school_is_in(self, engine) -> None:
        reply = engine.answer("what's the 'making fluent and flexible calculations' trial actually about? can we do that one instead?", TODAY)
        assert "rules you out" not in reply.headline

    def test_a_trial_the_school_says_it_is_in_still_rules_it_out(self, engine) -> None:
        reply = engine.answer("We're in the HFL fluent and flexible calculations trial. Can we still do the sktm eef trial?", TODAY)
        assert "rules you out" in reply.headline


class TestLocalPeople:
    @pytest.mark.parametrize("text", ["who is the kent and medway hub lead",
                                      "Who will be our school's Intensive Support Partner if we are referred?"])
    def test_who_holds_a_role_locally_is_not_known(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "unknown" and "names of people in those roles locally" in reply.headline

    def test_a_person_the_sources_name_elsewhere_is_still_answered(self, engine) -> None:
        reply = engine.answer("who is the RIL for the SEND theme?", TODAY)
        assert reply.status == "answered"


class TestNobodysRecords:
    @pytest.mark.parametrize("text", ["Could you check whether my colleague Sarah in our department actually submitted her "
                                      "Mastery Specialist application?", "can you tell me what email address i registered on axis with?"])
    def test_what_one_person_did_or_gave_is_no_record_the_bot_holds(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "unknown" and "anyone's own applications or records" in reply.headline

    def test_a_detail_asked_of_no_offer_says_which_detail_is_missing(self, engine) -> None:
        assert "venue or location details" in engine.answer("is there parking?", TODAY).headline


class TestAListAnswersTheTopic:
    @pytest.mark.parametrize("text", ["Does the hub run a similar non-specialist programme for physics?",
                                      "Does the hub run revision sessions for Year 11 pupils before their GCSEs?"])
    def test_is_there_x_that_no_listed_offer_speaks_of_is_not_answered_with_a_list(self, engine, text) -> None:
        assert engine.answer(text, TODAY).intent != "list"

    def test_a_list_asked_for_outright_is_still_given(self, engine) -> None:
        reply = engine.answer("Our deputy head wants a list: which SKTM programmes are on offer for primary?", TODAY)
        assert reply.intent == "list" and "sktm-primary-teaching-assistants" in reply.topics


class TestPeopleTheSourcesName:
    def test_a_unit_saying_who_was_the_lead_answers_who_leads(self, engine) -> None:
        reply = engine.answer("Who is the Research and Innovation Lead for the Working with SENDCOs theme?", TODAY)
        assert reply.status == "answered" and "Alan Edmiston" in reply.headline


class TestAFamilyNamedByItsSharedName:
    @pytest.mark.parametrize("text", ["mastering number years", "Which year groups is Mastering Number for?",
                                      "Is Mastering Number right for my class?"])
    def test_a_field_several_members_give_is_asked_back_with_each_answer(self, engine, text) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "clarify"
        assert {"mastering-number-ks2", "mastering-number-reception-ks1"} <= set(reply.topics)

    def test_a_word_only_one_member_uses_picks_that_member(self, engine) -> None:
        reply = engine.answer("mastering number multiplication - who is it for?", TODAY)
        assert reply.status == "answered" and reply.topics[0] == "mastering-number-ks2"

    def test_a_field_only_one_member_has_is_still_answered(self, engine) -> None:
        reply = engine.answer("mastery specialist deadline?", TODAY)
        assert reply.status == "answered" and "28 April" in reply.headline

    @pytest.mark.parametrize(("text", "members"), [
        ("core maths cpd wat does it involve", {"core-maths-pedagogy-work-group", "sktm-new-to-core-maths"}),
        ("lead programme whos it for", {"pd-lead-programme", "sd-lead-programme"}),
    ])
    def test_a_family_asked_about_by_its_name_alone_is_asked_back(self, engine, text, members) -> None:
        """Not "I don't have anything on that": the notes have several offers by that name."""
        reply = engine.answer(text, TODAY)
        assert reply.status == "clarify"
        assert members <= set(reply.topics)

    def test_a_past_family_named_with_its_year_groups_is_asked_back(self, engine) -> None:
        """"Year 5 to 8" is the name both 2017-18 continuity Work Groups share, not a year group that picks one."""
        reply = engine.answer("For the Year 5 to 8 continuity Work Group of 2017, what is the code?", TODAY)
        assert reply.status == "clarify"
        assert "NCP17-10a" in render_text(reply) and "NCP17-10b" in render_text(reply)

    @pytest.mark.parametrize(("text", "members"), [
        ("mastering number programmes", {"mastering-number-ks2", "mastering-number-reception-ks1"}),
        ("what are the secondary leadership projects?", {"secondary-mat-maths-leaders", "secondary-subject-leadership"}),
        ("mastery specialist programmes?", {"primary-mastery-specialist", "secondary-mastery-specialist",
                                            "post16-gcse-fsq-mastery-specialist"}),
    ])
    def test_a_family_in_the_plural_lists_every_member(self, engine, text, members) -> None:
        reply = engine.answer(text, TODAY)
        assert reply.status == "answered"
        assert members <= set(reply.topics)

    def test_the_singular_still_asks_which(self, engine) -> None:
        assert engine.answer("mastering number programme", TODAY).status == "clarify"

    def test_a_count_no_member_gives_is_not_asked_back(self, engine) -> None:
        """"How many UCAS points…": the Core Maths offers' figures count years and teachers, not points."""
        assert engine.answer("how many UCAS points is Core Maths worth?", TODAY).status == "unknown"

    def test_the_kind_of_offer_does_not_make_one_member_named_better(self, engine) -> None:
        """"Mastery specialist programme" names the Post-16 Mastery Specialists too, though their alias lacks "programme"."""
        reply = engine.answer("how long is the mastery specialist programme these days?", TODAY)
        assert {"secondary-mastery-specialist", "post16-gcse-fsq-mastery-specialist"} <= set(reply.topics)

    def test_a_detail_beyond_the_family_name_is_still_not_known(self, engine) -> None:
        assert engine.answer("core maths ucas points?", TODAY).status == "unknown"


class TestAskingWhichOne:
    def test_every_offer_called_by_the_words_asked_is_a_choice(self, engine) -> None:
        """"sktm sign up" asks which SKTM programme: the choices are the SKTM programmes, not only the two likeliest."""
        reply = engine.answer("sktm sign up", TODAY)
        assert reply.status == "clarify"
        assert len([t for t in reply.topics if "sktm" in t]) >= 4
        assert "sktm-early-years" in reply.topics or "sktm-primary-teachers" in reply.topics
