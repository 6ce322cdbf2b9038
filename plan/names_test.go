package plan

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/indmap/indmap/internal/shareddata"
)

// TestEnglishNames checks official English names: generated ones, and
// polyphonic names the table corrects.
func TestEnglishNames(t *testing.T) {
	n, err := DefaultNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ code, name, want string }{
		{"500120", "璧山区", "Bishan District"},
		{"500103", "渝中区", "Yuzhong District"},
		{"500108", "南岸区", "Nan'an District"},
		{"500115", "长寿区", "Changshou District"},
		{"500230", "丰都县", "Fengdu County"},
		{"500233", "忠县", "Zhong County"},
		{"500240", "石柱土家族自治县", "Shizhu Tujia Autonomous County"},
		{"500241", "秀山土家族苗族自治县", "Xiushan Tujia and Miao Autonomous County"},
		{"500243", "彭水苗族土家族自治县", "Pengshui Miao and Tujia Autonomous County"},
		{"", "重庆市", "Chongqing Municipality"},
		{"", "西安市", "Xi'an City"},
		{"", "蚌埠市", "Bengbu City"},
		{"370100", "济南市", "Jinan City"},
		{"370405", "台儿庄区", "Tai'erzhuang District"},
		{"370612", "牟平区", "Muping District"},
		{"371481", "乐陵市", "Laoling City"},
		{"371524", "东阿县", "Dong'e County"},
		{"371722", "单县", "Shan County"},
		{"371522", "莘县", "Shen County"},
		{"410300", "洛阳市", "Luoyang City"},
		{"410900", "濮阳市", "Puyang City"},
		{"411100", "漯河市", "Luohe City"},
		{"410728", "长垣市", "Changyuan City"},
		{"410621", "浚县", "Xun County"},
		{"410223", "尉氏县", "Weishi County"},
		{"410182", "荥阳市", "Xingyang City"},
		{"411104", "召陵区", "Shaoling District"},
		{"411726", "泌阳县", "Biyang County"},
		{"410104", "管城回族区", "Guancheng Hui District"},
		{"410782", "辉县市", "Huixian City"},
		{"500000-liangjiang", "两江新区", "Liangjiang New Area"},
		{"", "吕梁市", "Lüliang City"},
		{"", "X区", "X District"},
	} {
		if got := n.English(c.code, c.name); got != c.want {
			t.Errorf("English(%s %s) = %q, want %q", c.code, c.name, got, c.want)
		}
	}
}

// TestShortNames checks the names labels give at small scales: the
// proper part alone where it stands as a name.
func TestShortNames(t *testing.T) {
	n, err := DefaultNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ code, name, zh, en string }{
		{"500106", "沙坪坝区", "沙坪坝", "Shapingba"},
		{"500108", "南岸区", "南岸", "Nan'an"},
		{"500115", "长寿区", "长寿", "Changshou"},
		{"500233", "忠县", "忠县", "Zhong County"},
		{"500240", "石柱土家族自治县", "石柱", "Shizhu"},
		{"500241", "秀山土家族苗族自治县", "秀山", "Xiushan"},
		{"410104", "管城回族区", "管城", "Guancheng"},
		{"410782", "辉县市", "辉县", "Huixian"},
		{"371722", "单县", "单县", "Shan County"},
		{"370103", "市中区", "市中区", "Shizhong District"},
		{"370100", "济南市", "济南", "Jinan"},
		{"500000-liangjiang", "两江新区", "两江", "Liangjiang"},
		{"", "西安", "西安", "Xi'an"},
	} {
		zh, en := n.Short(c.name, n.English(c.code, c.name))
		if zh != c.zh || en != c.en {
			t.Errorf("Short(%s) = %q %q, want %q %q", c.name, zh, en, c.zh, c.en)
		}
	}
	// An English name given by hand, shortened as it is written.
	if zh, en := n.Short("长寿区", "Changshou Dist."); zh != "长寿" || en != "Changshou Dist." {
		t.Errorf("Short with an English name of its own = %q %q", zh, en)
	}
}

func TestReadNames(t *testing.T) {
	table := "kind,name,name_en,code\nending,区,District,\nunit,市中区,Central District,370103\nunit,长寿区,Changshou District,\n"
	n, err := ReadNames([]byte(table), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ code, name, want string }{
		{"370103", "市中区", "Central District"}, // a code limits an override to one unit
		{"370402", "市中区", "Shizhong District"},
		{"500115", "长寿区", "Changshou District"},
	} {
		if got := n.English(c.code, c.name); got != c.want {
			t.Errorf("English(%s %s) = %q, want %q", c.code, c.name, got, c.want)
		}
	}
	for _, bad := range []string{
		"kind,name\nunit,x\n",
		"kind,name,name_en\nplace,区,District\n",
		"kind,name,name_en\nunit,,District\n",
	} {
		if _, err := ReadNames([]byte(bad), "bad.csv"); err == nil || !strings.Contains(err.Error(), "bad.csv") {
			t.Errorf("ReadNames(%q) = %v, want an error naming the file", bad, err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/names-en.golden.tsv")

// TestSharedBoundaryNames gives every unit of the shared boundary files
// the English name a person checked (testdata/names-en.golden.tsv): a
// polyphonic character read the common way, where the place reads it
// otherwise, shows here and is fixed in defaults/names-en.csv.
func TestSharedBoundaryNames(t *testing.T) {
	n, err := DefaultNames()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(shareddata.Dir(t), "boundaries")
	files, _ := filepath.Glob(filepath.Join(dir, "*.geojson"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*.geojson"))
	var got []string
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Properties struct {
					Adcode json.Number `json:"adcode"`
					Name   string      `json:"name"`
				} `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ft := range fc.Features {
			p := ft.Properties
			got = append(got, fmt.Sprintf("%s\t%s\t%s", p.Adcode, p.Name, n.English(p.Adcode.String(), p.Name)))
		}
	}
	sort.Strings(got)
	if len(got) < 360 {
		t.Fatalf("only %d units in %s", len(got), dir)
	}
	golden := filepath.Join("testdata", "names-en.golden.tsv")
	if *update {
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		code, _, _ := strings.Cut(sc.Text(), "\t")
		want[code] = sc.Text()
	}
	for _, line := range got {
		code, _, _ := strings.Cut(line, "\t")
		if want[code] != line {
			t.Errorf("got %q, checked %q", line, want[code])
		}
	}
	if len(want) != len(got) {
		t.Errorf("%d units checked, %d in the boundary files", len(want), len(got))
	}
}
