"""What the offline interviewer says: phrase banks the brain picks from, so it never sounds
like a script. Nothing here mentions phases, tools or transfers."""

from __future__ import annotations

GREETINGS = (
    "Hi there, thanks for joining! I'll be your interviewer today.",
    "Hello, and welcome! I'm going to be running this session with you.",
    "Hey, good to meet you, and thanks for making the time.",
    "Hi, great to have you here today. I'll be interviewing you.",
    "Hello! Thanks for coming in today.",
)
FORMAT_SYSTEM_DESIGN = (
    "We'll spend most of our time on a system design question for a {level} {role} role, "
    "so think out loud and use the whiteboard.",
    "This is a {company} style system design interview. I care most about how you reason.",
    "We'll work through one design problem together. Use the whiteboard whenever it helps.",
)
FORMAT_CODING = (
    "We'll work through a coding problem for a {level} {role} role, so talk me through "
    "your thinking.",
    "This is a {company} style coding interview. Think out loud as you go.",
    "We'll solve one coding problem together. Explain your approach first, then code it.",
)
ASK_INTRO = (
    "To start, could you tell me a little about yourself?",
    "Before we dive in, could you briefly introduce yourself?",
    "Why don't you start by telling me a bit about your background?",
    "First, I'd love a quick introduction. What have you been working on lately?",
)
INTRO_THANKS = (
    "Nice to meet you{name}.",
    "Thanks{name}, that's a helpful background.",
    "Great to meet you{name}, thanks for sharing.",
    "Thanks for the introduction{name}.",
)
QUESTION_LEAD = (
    "Alright, let's get into it.",
    "Great, here's the problem.",
    "Let's dive in.",
    "Okay, here's what I'd like you to work on.",
)
KICKOFF_SYSTEM_DESIGN = (
    "Feel free to start by clarifying the requirements.",
    "Take a moment, then walk me through how you'd approach it.",
    "Where would you like to start?",
)
KICKOFF_CODING = (
    "Take a moment to think, and walk me through your approach before you code.",
    "Start by explaining how you'd solve it, then we can get into the code.",
    "How would you approach it?",
)
ACKS = (
    "Okay.",
    "Got it.",
    "Makes sense.",
    "Right.",
    "Interesting.",
    "Sure.",
    "Thanks, that's helpful.",
    "Good.",
)
REFERENCE_TECH = (
    "You mentioned {x}. {q}",
    "Going back to {x}: {q}",
    "On {x}, {q}",
    "Since you brought up {x}, {q}",
)
REFERENCE_DECISION = (
    "You said you'd {d}. What trade-offs come with that choice?",
    "You'd {d}. Why that over the alternatives?",
    "About your plan to {d}: what could go wrong with it?",
)
STEER = (
    "I'd like to hear about {t}. {q}",
    "Let's talk about {t}. {q}",
    "Let's shift to {t}. {q}",
    "One area we haven't covered yet is {t}. {q}",
)
TECH_QUESTIONS: dict[str, tuple[str, ...]] = {
    "Redis": (
        "how would you keep the cache consistent with the database?",
        "what happens when a hot key expires and thousands of requests miss at once?",
    ),
    "Memcached": ("how would you keep the cache consistent with the database?",),
    "PostgreSQL": ("how would you scale it once a single primary can't keep up with writes?",),
    "MySQL": ("how would you scale it once a single primary can't keep up with writes?",),
    "SQL": ("what would the schema look like, and which indexes would you need?",),
    "Cassandra": ("how would you choose the partition key, and what consistency level would "
                  "you read and write with?",),
    "DynamoDB": ("how would you choose the partition key to avoid hot partitions?",),
    "MongoDB": ("how would you shard the collections as the data grows?",),
    "NoSQL": ("how would you choose the partition key, and what do you give up compared to a "
              "relational database?",),
    "Bigtable": ("how would you design the row keys to avoid hotspots?",),
    "Spanner": ("what does its strong consistency cost you in latency here?",),
    "Kafka": (
        "what happens if a consumer falls behind or crashes halfway through a batch?",
        "how would you make the consumers idempotent?",
    ),
    "RabbitMQ": ("what happens to in-flight messages if a consumer crashes?",),
    "SQS": ("how would you handle duplicate deliveries?",),
    "S3": ("how would you organize the keys, and how would clients upload large files?",),
    "CDN": ("how would you invalidate content at the edge when something changes?",),
    "load balancer": ("which balancing strategy would you use, and how would it detect "
                      "unhealthy servers?",),
    "API gateway": ("what would live in the gateway, and what would stay in the services?",),
    "microservices": ("how would you draw the service boundaries, and how would the services "
                      "talk to each other?",),
    "Kubernetes": ("how would you roll out a new version safely?",),
    "Docker": ("how would you roll out a new version safely?",),
    "Elasticsearch": ("how would you keep the search index in sync with the source of truth?",),
    "ZooKeeper": ("what exactly would you coordinate with it?",),
    "gRPC": ("what would the main service interfaces look like?",),
    "GraphQL": ("how would you stop expensive queries from overloading the backend?",),
    "REST": ("what would the main endpoints look like?",),
    "WebSockets": ("how would you handle reconnections and many open connections per server?",),
    "Bloom filter": ("how would you size it, and what happens on a false positive?",),
    "Spark": ("would this run as a batch or a streaming job, and how fresh must the data be?",),
    "Hadoop": ("how fresh does the data need to be, and is a batch job good enough?",),
    "Nginx": ("what would it do besides routing traffic?",),
}
CODING_TECH_QUESTIONS: dict[str, tuple[str, ...]] = {
    "Python": ("is there anything about Python's built-ins that affects the complexity here?",),
    "Java": ("which collections would you use, and why?",),
    "JavaScript": ("how would you handle very large inputs in JavaScript?",),
}
GENERIC_TECH_QUESTION = "what role does it play here, and what would you watch out for?"
TOPIC_QUESTIONS_CODING: dict[str, str] = {
    "hash map": "You mentioned a hash map. What are the time and space costs of that approach?",
    "sorting": "You mentioned sorting. Could you avoid the n log n cost?",
    "two pointers": "With two pointers, how do you know when to move each one?",
    "binary search": "For the binary search, what exactly is the invariant on each step?",
    "recursion": "With recursion, how deep can the call stack get for the largest input?",
    "dynamic programming": "What's the state in your dynamic programming table, and how does "
    "it transition?",
    "heap": "With the heap, what's the cost of each insert and removal?",
    "stack": "What does the stack hold at each step?",
    "graph traversal": "How do you avoid visiting the same node twice?",
    "trees": "What happens with a very unbalanced tree?",
    "sliding window": "When does the window shrink, and why is that correct?",
}
# keyword in an expected topic -> a question that steers toward it
STEER_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("cach", "Where would caching help in this design, and how would you handle invalidation?"),
    ("stor", "What would you use for storage, and why over the alternatives?"),
    ("database", "Which database would you pick, and why?"),
    ("hash", "How would you generate the IDs and avoid collisions?"),
    ("id gen", "How would you generate the IDs and avoid collisions?"),
    ("latenc", "What sits on the hot path, and how would you keep it fast?"),
    ("analytic", "How would you collect that data without slowing down the main path?"),
    ("shard", "How would you partition the data as it grows?"),
    ("partition", "How would you partition the data as it grows?"),
    ("replic", "How would you replicate the data, and what happens during a failover?"),
    ("consisten", "Where do you need strong consistency, and where is eventual consistency "
     "fine?"),
    ("rate limit", "How would you protect the system from abusive clients?"),
    ("fan", "How would you fan out updates to many followers efficiently?"),
    ("feed", "How would you build and serve the feed?"),
    ("scal", "How would the design change at ten times the traffic?"),
    ("fail", "What happens when one of these components fails?"),
    ("availab", "What happens when one of these components fails?"),
    ("requirement", "What are the key functional and non-functional requirements?"),
    ("api", "What would the main API endpoints look like?"),
    ("time complex", "What's the time complexity of your approach?"),
    ("space complex", "How much extra memory does your approach use?"),
    ("edge", "Which edge cases would you check?"),
    ("test", "How would you test this?"),
    ("approach", "Could you walk me through your overall approach first?"),
    ("brute", "What would the brute-force solution be, and how does yours improve on it?"),
)
GENERIC_STEER = "How would you approach it here?"
PROBES_SYSTEM_DESIGN = (
    "What do you see as the main bottleneck, and how would you address it?",
    "What happens when one of these components fails?",
    "How would this change at ten times the traffic?",
    "How would you monitor this in production?",
    "What would you simplify if you had to ship a first version in two weeks?",
)
PROBES_CODING = (
    "Could you walk me through a small example?",
    "What's the time complexity of that?",
    "Which edge cases would you test?",
    "How would you reduce the extra space?",
    "Is there a simpler way to write that part?",
)
WRAP_UP = (
    "Great, I think that's a good place to stop the technical part.",
    "Thanks, that gives me a good picture of your approach.",
    "Alright, let's wrap up the technical part here.",
)
ASK_QUESTIONS = (
    "Before we finish, do you have any questions for me?",
    "We have a couple of minutes left. Is there anything you'd like to ask me?",
    "Is there anything you'd like to ask me before we finish?",
)
ANSWER_QUESTION = (
    "Good question. The team works on large-scale systems, and we value clear communication "
    "and thoughtful trade-offs, a lot like what we talked about today.",
    "Great question. Day to day it's a mix of design discussions, building, and reviewing each "
    "other's work, with a lot of ownership.",
)
GOODBYE = (
    "Thanks so much for your time today{name}. You'll get detailed feedback shortly. Take care!",
    "It was great talking with you{name}. Your feedback will be ready soon. Good luck!",
    "Thanks again{name}, that's all from me. Have a great rest of your day!",
)
AFTER_DONE = (
    "We're all done for today. Thanks again, and good luck!",
    "That's everything from me. Thanks again for your time!",
)
WELCOME_BACK = (
    "Welcome back{name}! Looks like the connection dropped for a moment. No problem.",
    "Ah, there you are{name}, welcome back. The call cut out for a bit.",
    "Welcome back{name}. We lost you for a moment there, but we can pick right up.",
)
WHERE_WE_WERE = (
    "Where we left off, I'd said:",
    "To pick up where we were:",
)
NOT_HEARD = (
    "Sorry, I didn't catch that. Could you say it again?",
    "Sorry, could you repeat that?",
)
# Pacing: what the interviewer says as time moves the interview into its next stage
# (agents/pacing.py), and the questions each stage draws on before the generic probes.
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "high_level": (
        "I think we have a good handle on the requirements. Let's sketch the big picture.",
        "Good, that scopes it well. Let's move to the overall design.",
    ),
    "deep_dives": (
        "That's a solid overall picture. Let's go deeper into a few parts.",
        "Okay, the big picture holds together. Now I'd like to dig into the details.",
    ),
    "coding": (
        "That approach sounds reasonable. Go ahead and write it in the editor, and talk me "
        "through it as you go.",
        "Good, I like where this is heading. Let's get it into code.",
    ),
    "testing": (
        "Let's make sure it works. Walk me through how you'd test it.",
        "Okay, let's check it against some cases.",
    ),
    "complexity": (
        "Let's talk about cost now.",
        "Now let's look at how this performs.",
    ),
}
STAGE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "requirements": (
        "Who are the main users, and what are the two or three things they must be able to do?",
        "What scale should we design for: how many users, requests per second, and how much "
        "data?",
        "Which matters more here, latency or consistency, and why?",
    ),
    "high_level": (
        "What are the main components, and how does a request flow through them?",
        "What would the main API look like?",
        "What does the data model look like, and where is it stored?",
    ),
    "deep_dives": (
        "Which component do you expect to be the hardest to scale, and how would you scale it?",
        "Could you walk me through exactly what happens on a write, step by step?",
        "How would you partition the data, and what happens when one partition gets hot?",
        "Where could data be lost or duplicated, and how would you prevent it?",
        "How would you deploy this across regions, and what would you replicate?",
        "What would your on-call dashboard show, and what would page you at night?",
        "How would you roll out a change to the data model without downtime?",
        "What's the most expensive part of this system to run, and how would you cut it?",
    ),
    "understanding": (
        "Before you start, what are the inputs and outputs, and what could be unusual about "
        "them?",
        "Could you restate the problem in your own words with a small example?",
    ),
    "coding": (
        "How are you structuring the code, and why that way?",
        "What does each variable hold as the loop runs?",
        "Is there a part you're unsure about that we should look at together?",
    ),
    "testing": (
        "Which edge cases would you test first?",
        "What happens with an empty input, or a single element?",
        "Could you trace your code on a small example out loud?",
        "What would a test with very large input look like?",
    ),
    "complexity": (
        "What's the time complexity, and where does it come from?",
        "How much extra memory does it use, and could you do with less?",
        "If the input no longer fit in memory, how would you change the approach?",
        "What if this function were called millions of times with similar inputs?",
    ),
}
DEEPER = (
    "Let's go one level deeper on {x}. What would break first, and how would you know?",
    "Staying with {x}: what's the trade-off you're least comfortable with there?",
    "On {x} again: how would that hold up at a hundred times the load?",
    "Tell me more about {x}. What would you measure to know it's working?",
)

# Words candidates use that a general recogniser mishears ("shard" as "charge"): part of the
# speech recogniser's prompt, after the brief's own topics and the candidate's terms.
DESIGN_GLOSSARY = (
    "load balancer", "cache", "Redis", "database", "shard", "replication", "Kafka", "queue",
    "CDN", "consistent hashing", "latency", "throughput",
)
CODING_GLOSSARY = (
    "array", "hash map", "two pointers", "time complexity", "O of n", "recursion",
    "binary search", "edge cases",
)
