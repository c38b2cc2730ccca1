"""What every figure module shares: pyplot, imported on use."""


def _pyplot():
    # Imported on use: matplotlib falls back to its Agg backend where there is no display.
    import matplotlib.pyplot as plt

    return plt
