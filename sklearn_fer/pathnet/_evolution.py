"""The binary-tournament genetic algorithm that evolves paths (Fernando et al. 2017, 2.2).

A path's genotype is an ``(L, N)`` matrix of module indices in ``[0, M)``: row ``l``
lists the modules active in layer ``l``, so a layer has at most ``N`` active modules (a
module listed twice is active once). One generation is one binary tournament: two
genotypes drawn at random from the population are each trained for ``T`` steps of
gradient descent and scored by the fitness measured during those steps; the loser is
overwritten by a copy of the winner, and every gene of the copy is then mutated with
probability ``1 / (N L)`` by adding an integer drawn uniformly from ``[-2, 2]`` (the
published neighbourhood; indices wrap around modulo ``M``, which keeps every module
reachable at the edges).

Nothing here knows about torch: the training and scoring of a path come in as callables,
so the algorithm's bookkeeping is tested on its own.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = [
    "EvolutionResult",
    "active_modules",
    "best_genotype",
    "evolve",
    "mutate",
    "path_mask",
    "random_genotypes",
]

#: The published mutation neighbourhood: a gene moves by at most this many modules.
NEIGHBOURHOOD = 2


def random_genotypes(n_paths, n_layers, max_active, n_modules, rng):
    """Draw ``n_paths`` genotypes uniformly: module indices of shape (n_paths, L, N)."""
    return rng.integers(0, n_modules, size=(n_paths, n_layers, max_active), dtype=np.int64)


def mutate(genotype, n_modules, rng):
    """A mutated copy of ``genotype``: each gene moves by U{-2..2} with probability 1/(N L).

    Parameters
    ----------
    genotype : ndarray of int, shape (L, N)
    n_modules : int
        M; indices wrap around modulo M.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (L, N)
    """
    genotype = np.asarray(genotype)
    rate = 1.0 / genotype.size
    # Both draws are made for every gene, so the stream consumed does not depend on
    # which genes mutate: reproducible and easy to reason about.
    hits = rng.random(genotype.shape) < rate
    steps = rng.integers(-NEIGHBOURHOOD, NEIGHBOURHOOD + 1, size=genotype.shape)
    return np.where(hits, (genotype + steps) % n_modules, genotype)


def active_modules(genotype):
    """The path a genotype encodes: per layer, its distinct module indices in order.

    Parameters
    ----------
    genotype : array-like of int, shape (L, N)

    Returns
    -------
    tuple of tuple of int
    """
    return tuple(tuple(int(m) for m in np.unique(row)) for row in np.asarray(genotype))


def path_mask(genotype, n_modules):
    """Boolean ``(L, M)`` mask of the modules a genotype activates."""
    genotype = np.asarray(genotype)
    mask = np.zeros((genotype.shape[0], n_modules), dtype=bool)
    for layer, row in enumerate(genotype):
        mask[layer, row] = True
    return mask


@dataclasses.dataclass
class EvolutionResult:
    """What :func:`evolve` returns.

    Attributes
    ----------
    genotypes : ndarray of int, shape (population, L, N)
        The population when evolution stopped.
    history : list of dict
        One row per path trained: ``generation``, ``individual`` (its index in the
        population), ``fitness`` and ``winner``.
    winner : ndarray of int or None
        The genotype that reached ``target_fitness``; None when the budget ran out first.
    n_generations : int
        Tournaments run.
    """

    genotypes: np.ndarray
    history: list
    winner: np.ndarray | None
    n_generations: int


def evolve(train_path, genotypes, *, n_generations, n_modules, rng, target_fitness=None):
    """Run binary tournaments until ``n_generations`` or a winner reaches the target.

    Parameters
    ----------
    train_path : callable
        ``train_path(genotype) -> float``: trains the path for T steps and returns its
        fitness measured during them (higher is better).
    genotypes : ndarray of int, shape (population, L, N)
        The initial population (not modified).
    n_generations : int
        The budget of tournaments.
    n_modules : int
        M, for mutation.
    rng : numpy.random.Generator
        Draws the pairs and the mutations.
    target_fitness : float or None, default=None
        Stop as soon as a tournament's winner reaches it.

    Returns
    -------
    EvolutionResult
    """
    genotypes = np.array(genotypes, copy=True)
    history, winner = [], None
    generation = 0
    for generation in range(1, n_generations + 1):
        pair = rng.choice(len(genotypes), size=2, replace=False)
        fitness = [float(train_path(genotypes[index])) for index in pair]
        # A tie goes to the first drawn: deterministic, and either is as good.
        won = 0 if fitness[0] >= fitness[1] else 1
        for slot, index in enumerate(pair):
            history.append(
                dict(
                    generation=generation,
                    individual=int(index),
                    fitness=fitness[slot],
                    winner=slot == won,
                )
            )
        genotypes[pair[1 - won]] = mutate(genotypes[pair[won]], n_modules, rng)
        if target_fitness is not None and fitness[won] >= target_fitness:
            winner = genotypes[pair[won]].copy()
            break
    return EvolutionResult(genotypes, history, winner, generation)


def best_genotype(genotypes, score):
    """The genotype of the population with the highest ``score(genotype)``.

    Each distinct path (set of active modules) is scored once; ties go to the first in
    population order.

    Returns
    -------
    genotype : ndarray of int, shape (L, N)
    index : int
        Its position in the population.
    """
    scores = {}
    best_index, best_score = 0, -np.inf
    for index, genotype in enumerate(genotypes):
        key = active_modules(genotype)
        if key not in scores:
            scores[key] = float(score(genotype))
        if scores[key] > best_score:
            best_index, best_score = index, scores[key]
    return np.array(genotypes[best_index], copy=True), best_index
