"""Use cases of the pipeline; other packages may import these modules and `crowdsourcing.models`."""
