"""The concentration index against a hand-worked example and against the covariance form of the
same formula (O'Donnell et al. 2008, eq. 8.2 and 8.8; Kakwani, Wagstaff & van Doorslaer 1997)."""

import numpy as np
import pytest

from familyreach.commissioning.equity import concentration_index, fractional_ranks


def test_the_hand_worked_example() -> None:
    # Four people, most deprived first, with 4, 3, 2 and 1 contacts. By hand: μ = 2.5, ranks
    # 1/8, 3/8, 5/8, 7/8; C = (2 / 10)(0.5 + 1.125 + 1.25 + 0.875) − 1 = −0.25. Lorenz
    # ordinates q = 0.4, 0.7, 0.9, 1.0; a = 0.8, 0.9, 0.8, 0.5; Σa²/n = 0.585;
    # var = (0.585 − 0.75²) / 4 = 0.005625, so the standard error is 0.075 and the 95 %
    # interval −0.25 ± 0.147.
    result = concentration_index([4, 3, 2, 1], [1, 2, 3, 4])
    assert result is not None
    assert result.value == pytest.approx(-0.25)
    assert result.standard_error == pytest.approx(0.075)
    assert (result.lower, result.upper) == pytest.approx((-0.397, -0.103))
    # Order of the input does not matter: ranking is by deprivation.
    shuffled = concentration_index([2, 4, 1, 3], [3, 1, 4, 2])
    assert shuffled is not None
    assert shuffled.value == pytest.approx(-0.25)


def test_equal_contacts_give_zero_and_reversed_gradients_change_sign() -> None:
    equal = concentration_index([2, 2, 2, 2], [1, 2, 3, 4])
    assert equal is not None
    assert equal.value == pytest.approx(0.0)
    rich = concentration_index([1, 2, 3, 4], [1, 2, 3, 4])
    assert rich is not None
    assert rich.value == pytest.approx(0.25)
    assert concentration_index([0, 0], [1, 2]) is None


def test_ties_share_a_rank() -> None:
    assert fractional_ranks([1, 1, 2, 3]) == pytest.approx([0.25, 0.25, 0.625, 0.875])


def test_it_equals_the_covariance_form_on_simulated_data() -> None:
    # 2,000 families in deciles 1 to 10; contacts falling with decile (more where need is
    # greater). The covariance form: C = 2 cov(h, R) / μ with the population covariance.
    rng = np.random.default_rng(22)
    deciles = rng.integers(1, 11, size=2000)
    contacts = rng.poisson(np.maximum(0.2, 4.0 - 0.3 * deciles))
    result = concentration_index(contacts.tolist(), deciles.tolist())
    assert result is not None
    order = np.argsort(deciles, kind="stable")
    ranks = np.array(fractional_ranks(deciles[order].tolist()))
    h = contacts[order].astype(float)
    covariance_form = 2 * np.mean((h - h.mean()) * (ranks - ranks.mean())) / h.mean()
    assert result.value == pytest.approx(covariance_form)
    assert result.value < 0
    assert result.lower < result.value < result.upper
    assert result.upper < 0  # the gradient is clear at this size
