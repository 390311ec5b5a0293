"""Which voicemails are possibly urgent, by the words of their transcript, and who is told."""
from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import UrgentContact
from coverage.urgency import DEFAULT_WORDS, to_tell, urgent_words_in, words_of
from tests.builders import office, practice, settings


@pytest.mark.parametrize(("profession", "said", "found"), [
    ("dentist", "Bonjour, j'ai très MAL et ma joue est Gonflée depuis hier.", ("MAL", "Gonflée")),
    ("dentist", "Ça saigne encore après l'extraction.", ("saigne",)),
    ("dentist", "Je voudrais déplacer mon rendez-vous de jeudi.", ()),
    ("vet", "Mon chien a été renversé par une voiture, il ne respire plus bien.", ("renversé", "ne respire plus")),
    ("vet", "Je crois que mon chat s'est empoisonné avec une plante.", ("empoisonné",)),
    ("vet", "Je voudrais des croquettes pour mon chien.", ()),
    ("notary", "C'est urgent : la signature demain ne peut pas attendre.", ("urgent", "signature demain")),
    ("notary", "Merci de me rappeler pour le compromis.", ()),
])
def test_the_words_of_each_profession_flag_a_message_whatever_the_accents_and_case(profession, said, found):
    assert urgent_words_in(said, DEFAULT_WORDS[profession]) == found


def test_a_word_is_matched_whole_and_a_star_matches_what_starts_with_it():
    assert urgent_words_in("Un malaise, puis rien de normal.", ("mal",)) == ()
    assert urgent_words_in("Un saignement abondant.", ("saign*",)) == ("saignement",)


def test_a_practice_may_give_its_own_words():
    own = replace(practice(), profession="dentist", urgent_words=("couronne cassée",))

    assert words_of(own) == ("couronne cassée",)
    assert urgent_words_in("Ma couronne cassée me gêne", words_of(own)) == ("couronne cassée",)
    assert urgent_words_in("J'ai mal", words_of(own)) == ()


def test_the_office_on_duty_and_the_urgent_contact_are_told_by_sms_else_by_email():
    martin = replace(office("martin"), sms="+33612345678")
    mailed = replace(office("permanence"), sms=None, email="accueil@permanence.example.fr")
    p = replace(practice(), urgent_contact=UrgentContact("Dr Claire Dupont", "+33756123456"))
    config = settings(p, offices=(martin, mailed))

    told = to_tell(config, p, ("martin", "permanence"))
    assert [(r.who, r.sms, r.email) for r in told] == [("martin", martin.sms, None),
                                                       ("urgent_contact", "+33756123456", None)]
    by_email = to_tell(config, p, ("permanence",))
    assert [(r.who, r.sms, r.email) for r in by_email] == [("permanence", None, "accueil@permanence.example.fr"),
                                                           ("urgent_contact", "+33756123456", None)]
    assert [r.who for r in to_tell(config, replace(p, urgent_contact=None), ())] == []
