"""The genetic algorithm on its own: genotypes, mutation, tournaments, the final pick."""

import numpy as np
import pytest

from sklearn_fer.pathnet._evolution import (
    active_modules,
    best_genotype,
    evolve,
    mutate,
    path_mask,
    random_genotypes,
)


def test_random_genotypes_cover_every_module_and_only_valid_ones():
    genotypes = random_genotypes(500, 3, 4, 10, np.random.default_rng(0))
    assert genotypes.shape == (500, 3, 4)
    assert set(np.unique(genotypes)) == set(range(10))


def test_mutation_rate_is_one_over_n_l_and_moves_at_most_two_modules():
    rng = np.random.default_rng(0)
    n_layers, max_active, n_modules = 3, 4, 10
    genotype = np.full((n_layers, max_active), 5)
    moves = np.concatenate([(mutate(genotype, n_modules, rng) - 5).ravel() for _ in range(20000)])
    # Each gene is hit with probability 1/(N L); a hit adds U{-2..2}, so 1/5 of hits are 0.
    hit_rate = 1 / (n_layers * max_active)
    assert np.mean(moves != 0) == pytest.approx(hit_rate * 4 / 5, rel=0.05)
    assert set(np.unique(moves)) == {-2, -1, 0, 1, 2}
    counts = np.array([np.sum(moves == step) for step in (-2, -1, 1, 2)])
    assert counts.min() / counts.max() > 0.9  # uniform over the neighbourhood


def test_mutation_wraps_around_the_edges_and_leaves_its_input_alone():
    rng = np.random.default_rng(1)
    genotype = np.array([[0, 9]])
    seen = set()
    for _ in range(3000):
        mutated = mutate(genotype, 10, rng)
        seen.update(mutated.ravel().tolist())
    assert seen == {8, 9, 0, 1, 2, 7}  # 0 -> {8, 9, 0, 1, 2}; 9 -> {7, 8, 9, 0, 1}
    assert genotype.tolist() == [[0, 9]]


def test_active_modules_are_distinct_and_sorted_per_layer():
    assert active_modules([[3, 1, 3], [0, 0, 0]]) == ((1, 3), (0,))
    mask = path_mask([[3, 1, 3], [0, 0, 0]], 5)
    assert mask.tolist() == [[False, True, False, True, False], [True, False, False, False, False]]


def _sum_fitness(genotype):
    return float(np.sum(genotype))


def test_each_tournament_overwrites_the_loser_with_a_mutant_of_the_winner():
    rng = np.random.default_rng(0)
    start = random_genotypes(6, 2, 3, 8, rng)
    population = start.copy()
    trained = []

    def train(genotype):
        trained.append(genotype.copy())
        return _sum_fitness(genotype)

    for _ in range(29):
        before = population.copy()
        result = evolve(train, population, n_generations=1, n_modules=8, rng=rng)
        rows = result.history
        assert [row["generation"] for row in rows] == [1, 1]
        winner = next(row for row in rows if row["winner"])
        loser = next(row for row in rows if not row["winner"])
        assert winner["fitness"] >= loser["fitness"]
        after = result.genotypes
        # Only the loser changed, into something within +-2 (mod M) of the winner's genes.
        unchanged = [i for i in range(6) if i != loser["individual"]]
        assert np.array_equal(after[unchanged], before[unchanged])
        distance = (after[loser["individual"]] - before[winner["individual"]]) % 8
        assert np.all(np.isin(distance, [0, 1, 2, 6, 7]))
        population = after
    assert len(trained) == 2 * 29
    assert np.array_equal(start, random_genotypes(6, 2, 3, 8, np.random.default_rng(0)))


def test_selection_raises_the_population_fitness():
    rng = np.random.default_rng(0)
    start = random_genotypes(10, 3, 3, 10, rng)
    result = evolve(_sum_fitness, start, n_generations=300, n_modules=10, rng=rng)
    assert (
        np.mean([_sum_fitness(g) for g in result.genotypes])
        > np.mean([_sum_fitness(g) for g in start]) + 5
    )
    assert result.winner is None and result.n_generations == 300
    assert len(result.history) == 600


def test_a_fitness_target_stops_evolution_at_the_winner():
    rng = np.random.default_rng(0)
    start = random_genotypes(10, 3, 3, 10, rng)
    result = evolve(
        _sum_fitness, start, n_generations=1000, n_modules=10, rng=rng, target_fitness=60
    )
    assert result.n_generations < 1000
    assert _sum_fitness(result.winner) >= 60
    last = [row for row in result.history if row["generation"] == result.n_generations]
    assert max(row["fitness"] for row in last) >= 60


def test_zero_generations_leave_the_population_as_drawn():
    rng = np.random.default_rng(0)
    start = random_genotypes(4, 2, 2, 5, rng)
    result = evolve(_sum_fitness, start, n_generations=0, n_modules=5, rng=rng)
    assert np.array_equal(result.genotypes, start)
    assert result.history == [] and result.n_generations == 0


def test_best_genotype_scores_each_distinct_path_once():
    population = np.array([[[1, 1]], [[2, 0]], [[1, 1]], [[0, 2]]])
    calls = []

    def score(genotype):
        calls.append(active_modules(genotype))
        return -float(np.sum(genotype))  # the lowest sum wins

    genotype, index = best_genotype(population, score)
    assert index == 0 and genotype.tolist() == [[1, 1]]
    # [[2, 0]] and [[0, 2]] are the same path (modules 0 and 2): scored once.
    assert sorted(calls) == [((0, 2),), ((1,),)]
