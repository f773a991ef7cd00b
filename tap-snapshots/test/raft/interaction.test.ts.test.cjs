/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/raft/interaction.test.ts > TAP > interaction - a follower with a divergent log is repaired by fast backtracking > must match snapshot 1`] = `
1->2 Vote Term:4 Log:3/5
1->3 Vote Term:4 Log:3/5
2->1 VoteResp Term:4
3->1 VoteResp Term:4
1->2 App Term:4 Log:3/5 Commit:1 Entries:[4/6]
1->3 App Term:4 Log:3/5 Commit:1 Entries:[4/6]
2->1 AppResp Term:4 Index:5 Rejected Hint:1/5
3->1 AppResp Term:4 Index:6
1->2 App Term:4 Log:1/1 Commit:1 Entries:[3/2 3/3 3/4 3/5 4/6]
1->3 App Term:4 Log:4/6 Commit:6 Entries:[]
2->1 AppResp Term:4 Index:6
3->1 AppResp Term:4 Index:6
1->2 App Term:4 Log:4/6 Commit:6 Entries:[]
2->1 AppResp Term:4 Index:6
`

exports[`test/raft/interaction.test.ts > TAP > interaction - election with pre-vote, first append, commit > must match snapshot 1`] = `
1->2 PreVote Term:1 Log:0/0
1->3 PreVote Term:1 Log:0/0
2->1 PreVoteResp Term:1
3->1 PreVoteResp Term:1
1->2 Vote Term:1 Log:0/0
1->3 Vote Term:1 Log:0/0
2->1 VoteResp Term:1
3->1 VoteResp Term:1
1->2 App Term:1 Log:0/0 Commit:0 Entries:[1/1]
1->3 App Term:1 Log:0/0 Commit:0 Entries:[1/1]
2->1 AppResp Term:1 Index:1
3->1 AppResp Term:1 Index:1
1->2 App Term:1 Log:1/1 Commit:1 Entries:[]
1->3 App Term:1 Log:1/1 Commit:1 Entries:[]
2->1 AppResp Term:1 Index:1
3->1 AppResp Term:1 Index:1
`

exports[`test/raft/interaction.test.ts > TAP > interaction - leadership transfer > must match snapshot 1`] = `
1->2 TimeoutNow Term:1
2->1 Vote Term:2 Log:1/1
2->3 Vote Term:2 Log:1/1
1->2 VoteResp Term:2
3->2 VoteResp Term:2
2->1 App Term:2 Log:1/1 Commit:1 Entries:[2/2]
2->3 App Term:2 Log:1/1 Commit:1 Entries:[2/2]
1->2 AppResp Term:2 Index:2
3->2 AppResp Term:2 Index:2
2->1 App Term:2 Log:2/2 Commit:2 Entries:[]
2->3 App Term:2 Log:2/2 Commit:2 Entries:[]
1->2 AppResp Term:2 Index:2
3->2 AppResp Term:2 Index:2
`
