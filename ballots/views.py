from django.shortcuts import render

from ballots.selectors import open_ballots_for


def ballot_index(request):
    return render(request, "ballots/index.html", {"open_ballots": open_ballots_for(request.user)})
