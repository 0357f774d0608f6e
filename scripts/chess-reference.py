#!/usr/bin/env python3
"""Writes Tests/ChessTests/Fixtures/python-chess-reference.json: seeded random games played
with python-chess (an independent implementation) recording, after every ply, the SAN of the
move, the FEN, check, the number of legal moves and the draw claims; plus each game as PGN.
The Swift tests replay the UCI moves with the Chess target and compare everything.

Usage: pip install chess && python3 scripts/chess-reference.py [output.json]
"""
import json
import random
import sys

import chess
import chess.pgn

START_POSITIONS = [
    chess.STARTING_FEN,
    "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
    "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
    "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1",
    "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
    "r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10",
    # Endgames: long random games reach the fifty/seventy-five-move rules, repetitions,
    # insufficient material and stalemate.
    "8/8/8/4k3/8/8/8/R3K2R w KQ - 0 1",
    "4k3/8/8/8/8/8/8/2B1KB2 w - - 0 1",
    "4k3/8/8/8/8/8/8/1N2K1N1 w - - 0 1",
    "4k3/4p3/8/8/8/8/4P3/4K3 w - - 0 1",
    "3qk3/8/8/8/8/8/8/3QK3 w - - 0 1",
    "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1",
    "7k/1P6/8/8/8/8/6p1/K7 w - - 0 1",
]
GAMES_PER_START = 3
MAX_PLIES = 400


def record(board):
    return {
        "fen": board.fen(en_passant="fen"),
        "check": board.is_check(),
        "legal": board.legal_moves.count(),
        "claimThreefold": board.is_repetition(3),
        "claimFifty": board.is_fifty_moves(),
    }


def play(start_fen, choose):
    board = chess.Board(start_fen)
    plies = []
    while board.outcome() is None and len(plies) < MAX_PLIES:
        move = choose(board)
        entry = {"uci": move.uci(), "san": board.san(move)}
        board.push(move)
        entry.update(record(board))
        plies.append(entry)
    outcome = board.outcome()
    game = chess.pgn.Game.from_board(board)
    game.headers["Event"] = "python-chess reference"
    pgn = game.accept(chess.pgn.StringExporter(headers=True, variations=True, comments=True))
    return {
        "start": start_fen,
        "plies": plies,
        "result": outcome.result() if outcome else "*",
        "termination": outcome.termination.name if outcome else None,
        "pgn": pgn,
    }


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else "Tests/ChessTests/Fixtures/python-chess-reference.json"
    games = []
    for start_index, fen in enumerate(START_POSITIONS):
        for game_index in range(GAMES_PER_START):
            rng = random.Random(1000 * start_index + game_index)
            games.append(play(fen, lambda board: rng.choice(sorted(board.legal_moves, key=lambda m: m.uci()))))
    # Knights shuffling back and forth: threefold becomes claimable, fivefold ends the game.
    shuffle = ["g1f3", "g8f6", "f3g1", "f6g8"]
    counter = {"n": 0}

    def shuffle_choice(board):
        move = chess.Move.from_uci(shuffle[counter["n"] % 4])
        counter["n"] += 1
        return move

    games.append(play(chess.STARTING_FEN, shuffle_choice))
    document = {
        "source": f"python-chess {chess.__version__}, scripts/chess-reference.py (seeded random games)",
        "games": games,
    }
    with open(output, "w") as handle:
        json.dump(document, handle, separators=(",", ":"))
    print(f"wrote {len(games)} games, {sum(len(g['plies']) for g in games)} plies to {output}")


if __name__ == "__main__":
    main()
